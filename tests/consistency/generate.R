#!/usr/bin/env Rscript
# Reference p-values for the consistency checks in src/stats/consistency/ (t-tests from
# summary data, 2x2 tests). Run from the crate root:  Rscript tests/consistency/generate.R
# Needs only base R and jsonlite; the JSON is committed so CI needs no R.
# t-tests: R's t.test needs raw data, so each group is a vector scaled to have exactly
# the summary mean and SD (the test depends on the data only through them).
suppressMessages(library(jsonlite))

exact_sample <- function(mean, sd, n) {
  z <- seq_len(n) - (n + 1) / 2          # any non-constant vector
  as.numeric(scale(z)) * sd + mean
}

t_cases <- list(
  list(name = "zhao2024 fpg week 9",  m1 = 7.46, s1 = 1.79, n1 = 33, m2 = 8.19, s2 = 1.95, n2 = 32),
  list(name = "zhao2024 fpg week 20", m1 = 7.51, s1 = 1.77, n1 = 33, m2 = 9.10, s2 = 2.78, n2 = 32),
  list(name = "zhao2024 gir week 48", m1 = 4.77, s1 = 1.70, n1 = 33, m2 = 3.57, s2 = 1.76, n2 = 32),
  list(name = "small unequal",        m1 = 10.2, s1 = 1.1,  n1 = 4,  m2 = 14.9, s2 = 6.3,  n2 = 9),
  list(name = "large equal",          m1 = 0.31, s1 = 0.12, n1 = 250, m2 = 0.29, s2 = 0.11, n2 = 240)
)
t_out <- lapply(t_cases, function(k) {
  x <- exact_sample(k$m1, k$s1, k$n1); y <- exact_sample(k$m2, k$s2, k$n2)
  c(k, list(student = t.test(x, y, var.equal = TRUE)$p.value,
            welch = t.test(x, y)$p.value))
})

table_cases <- list(
  list(name = "zhao2024 hba1c<7 week 9",  e1 = 20, n1 = 33, e2 = 9, n2 = 32),
  list(name = "zhao2024 hba1c<7 week 20", e1 = 17, n1 = 33, e2 = 8, n2 = 32),
  list(name = "zhao2024 hba1c<7 week 48", e1 = 16, n1 = 33, e2 = 4, n2 = 32),
  list(name = "zhao2024 liver us week 20", e1 = 15, n1 = 33, e2 = 6, n2 = 32),
  list(name = "lu2021 insulin independence", e1 = 3, n1 = 27, e2 = 0, n2 = 26),
  list(name = "lian2023 transient fever", e1 = 4, n1 = 24, e2 = 0, n2 = 10),
  list(name = "large", e1 = 130, n1 = 400, e2 = 98, n2 = 410)
)
table_out <- lapply(table_cases, function(k) {
  m <- matrix(c(k$e1, k$n1 - k$e1, k$e2, k$n2 - k$e2), 2, byrow = TRUE)
  c(k, list(chisq = suppressWarnings(chisq.test(m, correct = FALSE)$p.value),
            yates = suppressWarnings(chisq.test(m)$p.value),
            fisher = fisher.test(m)$p.value))
})

write_json(list(r_version = R.version.string, t_tests = t_out, tables = table_out),
           "tests/consistency/r-tests.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
