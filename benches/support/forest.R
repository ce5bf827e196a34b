# The reference point of `cargo bench --bench build`: R drawing one metafor forest plot
# into a PDF (the BCG vaccine trials from metadat, log risk ratios, REML), as a curator
# using R would. Run as `Rscript benches/support/forest.R OUT.pdf`; the bench times it
# when Rscript and metafor are installed (Debian: r-cran-metafor).
suppressMessages(library(metafor))
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
res <- rma(yi, vi, data = dat)
pdf(commandArgs(TRUE)[1])
forest(res)
invisible(dev.off())
