//! What a mute timing's values mean, as Alertmanager's `timeinterval` parses them: the same
//! checks Grafana makes, run at plan so a mistake names its attribute, and the meaning that
//! lets `"December"`, `"december"` and `"12"` (Grafana's form) plan no change.

/// The list fields of a time interval, each a list of ranges `a` or `a:b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field {
    Weekdays,
    DaysOfMonth,
    Months,
    Years,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Weekdays, Field::DaysOfMonth, Field::Months, Field::Years];

    pub fn name(self) -> &'static str {
        match self {
            Field::Weekdays => "weekdays",
            Field::DaysOfMonth => "days_of_month",
            Field::Months => "months",
            Field::Years => "years",
        }
    }

    /// What to write instead, for the diagnostic.
    fn example(self) -> &'static str {
        match self {
            Field::Weekdays => "a weekday name or a range of them: `\"monday\"`, `\"monday:friday\"`",
            Field::DaysOfMonth => {
                "a day 1 to 31 (or -31 to -1, counting from the month's end) or a range: `\"1\"`, `\"1:7\"`, `\"-1\"`"
            }
            Field::Months => {
                "a month name or number, or a range: `\"december\"`, `\"12\"`, `\"1:3\"`, `\"may:august\"`"
            }
            Field::Years => "a year or a range of years: `\"2030\"`, `\"2025:2026\"`",
        }
    }
}

const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The inclusive range a value means, or why Grafana would refuse it (with what to write).
pub fn meaning(field: Field, text: &str) -> Result<(i64, i64), String> {
    let lower = text.to_lowercase();
    let parts: Vec<&str> = lower.split(':').collect();
    let (b, e) = match parts.as_slice() {
        [one] => (member(field, one)?, member(field, one)?),
        [b, e] => (member(field, b)?, member(field, e)?),
        _ => return Err(format!("{text:?} is not a range: write {}", field.example())),
    };
    check(field, b, e).map_err(|why| format!("{text:?}: {why}"))?;
    Ok((b, e))
}

fn member(field: Field, s: &str) -> Result<i64, String> {
    let not = |what: &str| format!("{s:?} is not {what}: write {}", field.example());
    match field {
        Field::Weekdays => WEEKDAYS.iter().position(|d| *d == s).map(|i| i as i64).ok_or_else(|| not("a weekday")),
        Field::Months => match MONTHS.iter().position(|m| *m == s) {
            Some(i) => Ok(i as i64 + 1),
            None => s.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(|| not("a month")),
        },
        Field::DaysOfMonth => s.parse().map_err(|_| not("a day of the month")),
        Field::Years => s.parse().ok().filter(|y: &i64| *y > 0).ok_or_else(|| not("a year")),
    }
}

fn check(field: Field, b: i64, e: i64) -> Result<(), String> {
    match field {
        Field::DaysOfMonth => {
            if let Some(d) = [b, e].into_iter().find(|d| *d == 0 || !(-31..=31).contains(d)) {
                return Err(format!("{d} is not a day of the month (1 to 31, or -31 to -1 from its end)"));
            }
            if b < 0 && e > 0 {
                return Err("a range that starts counting from the month's end must end so too".into());
            }
            // Grafana's check, with 28-day months: a range that is always empty.
            let at = |d: i64| if d < 0 { 28 + d } else { d };
            if at(b) > at(e) { Err("the range ends before it starts".into()) } else { Ok(()) }
        }
        _ if b > e => Err("the range ends before it starts".into()),
        _ => Ok(()),
    }
}

/// Whether two lists of ranges mean the same: null and empty alike, else element by element.
pub fn same_ranges(field: Field, a: Option<&[String]>, b: Option<&[String]>) -> bool {
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || matches!((meaning(field, x), meaning(field, y)), (Ok(m), Ok(n)) if m == n))
}

/// A time of day as Grafana accepts it: `HH:MM`, two digits each, up to `24:00`; in minutes.
pub fn minutes(text: &str) -> Result<u32, String> {
    let bad = || {
        format!(
            "{text:?} is not a time of day: write `HH:MM` with two digits each, e.g. `\"04:30\"`, up to `\"24:00\"`"
        )
    };
    if text == "24:00" {
        return Ok(1440);
    }
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two(h) || !two(m) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_cases_mean_what_alertmanager_reads() {
        assert_eq!(meaning(Field::Months, "December"), Ok((12, 12)));
        assert_eq!(meaning(Field::Months, "may:august"), meaning(Field::Months, "5:8"));
        assert_eq!(meaning(Field::Weekdays, "Tuesday:THURSDAY"), Ok((2, 4)));
        assert_eq!(meaning(Field::DaysOfMonth, "-1"), Ok((-1, -1)));
        assert_eq!(meaning(Field::DaysOfMonth, "-7:-1"), Ok((-7, -1)));
        assert_eq!(meaning(Field::Years, "2025:2026"), Ok((2025, 2026)));
        let l = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ranges(Field::Months, Some(&l(&["1:3", "december"])), Some(&l(&["1:3", "12"]))));
        assert!(same_ranges(Field::Weekdays, Some(&[]), None));
        assert!(!same_ranges(Field::Weekdays, Some(&l(&["monday"])), Some(&l(&["tuesday"]))));
        assert!(!same_ranges(Field::Years, Some(&l(&["2030"])), Some(&l(&["2030", "2031"]))));
    }

    #[test]
    fn what_grafana_refuses_is_refused_with_what_to_write() {
        for (field, bad) in [
            (Field::Weekdays, "funday"),
            (Field::Weekdays, "friday:monday"),
            (Field::Months, "13"),
            (Field::Months, "march:january"),
            (Field::DaysOfMonth, "0"),
            (Field::DaysOfMonth, "-3:4"),
            (Field::DaysOfMonth, "32"),
            (Field::Years, "2026:2025"),
            (Field::Years, "next"),
            (Field::Weekdays, "monday:tuesday:friday"),
        ] {
            let why = meaning(field, bad).unwrap_err();
            assert!(why.contains(bad), "{why}");
        }
        assert!(meaning(Field::Weekdays, "funday").unwrap_err().contains("`\"monday:friday\"`"));
        assert_eq!(minutes("04:56"), Ok(296));
        assert_eq!(minutes("24:00"), Ok(1440));
        for bad in ["4:56", "24:01", "12:60", "noon", "12:3"] {
            assert!(minutes(bad).unwrap_err().contains("HH:MM"), "{bad}");
        }
    }
}
