//! The consistency p-values against R 4.2 (`t.test`, `chisq.test`, `fisher.test`), from
//! the fixture written by `tests/consistency/generate.R`, to 1e-6 relative.

use serde::Deserialize;

use super::super::testutil::assert_close;
use super::Printed;
use super::contingency::{Table, chi_square, fisher_exact};
use super::summary::{GroupSummary, student_t, welch_t};

const FIXTURE: &str = include_str!("../../../../tests/consistency/r-tests.json");

#[derive(Deserialize)]
struct Fixture {
    t_tests: Vec<TCase>,
    tables: Vec<TableCase>,
}

#[derive(Deserialize)]
struct TCase {
    name: String,
    m1: f64,
    s1: f64,
    n1: u64,
    m2: f64,
    s2: f64,
    n2: u64,
    student: f64,
    welch: f64,
}

#[derive(Deserialize)]
struct TableCase {
    name: String,
    e1: u64,
    n1: u64,
    e2: u64,
    n2: u64,
    chisq: f64,
    yates: f64,
    fisher: f64,
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

fn group(mean: f64, sd: f64, n: u64) -> GroupSummary {
    GroupSummary {
        mean: Printed::exact(mean),
        spread: Printed::exact(sd),
        spread_is_sem: false,
        n,
    }
}

#[test]
fn t_tests_from_summaries_match_r_t_test() {
    let f = fixture();
    assert!(f.t_tests.len() >= 5);
    for c in f.t_tests {
        let (a, b) = (group(c.m1, c.s1, c.n1), group(c.m2, c.s2, c.n2));
        assert_close(student_t(&a, &b).unwrap().p, c.student, &c.name);
        assert_close(welch_t(&a, &b).unwrap().p, c.welch, &c.name);
    }
}

#[test]
fn two_by_two_tests_match_r_chisq_test_and_fisher_test() {
    let f = fixture();
    assert!(f.tables.len() >= 7);
    for c in f.tables {
        let t = Table::from_events(c.e1, c.n1, c.e2, c.n2).unwrap();
        assert_close(chi_square(&t, false).unwrap().p, c.chisq, &c.name);
        assert_close(chi_square(&t, true).unwrap().p, c.yates, &c.name);
        assert_close(fisher_exact(&t).unwrap().p, c.fisher, &c.name);
    }
}
