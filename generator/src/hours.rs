//! Opening hours in words, the way GOV.UK writes them ("Monday to Friday,
//! 9am to 1pm"), with every word from the theme's interface strings.

use crate::data::{DAYS, Hours, parse_time};

/// The words a language uses for hours (from the `hours` and `days` strings).
pub struct Words<'a> {
    pub strings: &'a serde_json::Value,
}

impl Words<'_> {
    fn get(&self, path: &[&str]) -> String {
        let mut v = self.strings;
        for p in path {
            v = &v[*p];
        }
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| path.join("."))
    }

    fn day(&self, d: &str) -> String {
        self.get(&["days", d])
    }

    /// A string the language may leave out, with its default.
    fn or(&self, key: &str, default: &str) -> String {
        self.strings["hours"][key]
            .as_str()
            .unwrap_or(default)
            .to_string()
    }

    /// "Monday to Friday", "9am to 1pm": `hours.range` with `{from}` and
    /// `{to}` where a language puts words around both ends (Arabic
    /// "من … إلى …"), otherwise the two ends around `hours.to`.
    fn range(&self, from: &str, to: &str) -> String {
        match self.strings["hours"]["range"].as_str() {
            Some(pattern) => pattern.replace("{from}", from).replace("{to}", to),
            None => format!("{from} {} {to}", self.get(&["hours", "to"])),
        }
    }
}

/// "Monday, Wednesday and Friday" / "Monday to Friday".
pub fn days(days: &[String], w: &Words) -> String {
    let mut idx: Vec<usize> = days
        .iter()
        .filter_map(|d| DAYS.iter().position(|x| x == d))
        .collect();
    idx.sort_unstable();
    idx.dedup();
    let consecutive = idx.windows(2).all(|p| p[1] == p[0] + 1);
    if idx.len() >= 3 && consecutive {
        return w.range(&w.day(DAYS[idx[0]]), &w.day(DAYS[idx[idx.len() - 1]]));
    }
    let names: Vec<String> = idx.iter().map(|&i| w.day(DAYS[i])).collect();
    let comma = w.or("comma", ", ");
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        // Some languages write "and" joined to the next word (Arabic و).
        [init @ .., last] if w.strings["hours"]["and_joins"].as_bool() == Some(true) => {
            format!("{} {}{}", init.join(&comma), w.get(&["hours", "and"]), last)
        }
        [init @ .., last] => format!(
            "{} {} {}",
            init.join(&comma),
            w.get(&["hours", "and"]),
            last
        ),
    }
}

/// "9am" / "1:30pm" / "midday" in 12-hour languages, "9:00" in 24-hour ones.
pub fn time(hhmm: &str, w: &Words) -> String {
    let Some(m) = parse_time(hhmm) else {
        return hhmm.to_string();
    };
    let (h, min) = (m / 60, m % 60);
    if w.get(&["hours", "clock"]) == "12h" {
        return match (h, min) {
            (12, 0) => w.get(&["hours", "midday"]),
            (0, 0) => w.get(&["hours", "midnight"]),
            _ => {
                let suffix = if h < 12 { "am" } else { "pm" };
                let h12 = if h % 12 == 0 { 12 } else { h % 12 };
                if min == 0 {
                    format!("{h12}{suffix}")
                } else {
                    format!("{h12}:{min:02}{suffix}")
                }
            }
        };
    }
    format!("{h}:{min:02}")
}

/// One line per rule: "Monday and Wednesday, 9am to 1pm".
pub fn lines(hours: &[Hours], w: &Words) -> Vec<String> {
    hours
        .iter()
        .map(|h| {
            format!(
                "{}{}{}",
                days(&h.days, w),
                w.or("comma", ", "),
                w.range(&time(&h.opens, w), &time(&h.closes, w))
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> serde_json::Value {
        serde_json::json!({
            "days": {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"},
            "hours": {"to": "to", "and": "and", "clock": "12h", "midday": "midday", "midnight": "midnight"}
        })
    }

    #[test]
    fn gov_uk_style_in_english() {
        let s = en();
        let w = Words { strings: &s };
        let h = |d: &[&str], o: &str, c: &str| Hours {
            days: d.iter().map(|x| x.to_string()).collect(),
            opens: o.into(),
            closes: c.into(),
        };
        assert_eq!(
            lines(
                &[h(&["mon", "tue", "wed", "thu", "fri"], "09:00", "17:30")],
                &w
            ),
            ["Monday to Friday, 9am to 5:30pm"]
        );
        assert_eq!(
            lines(&[h(&["wed", "mon"], "09:00", "12:00")], &w),
            ["Monday and Wednesday, 9am to midday"]
        );
        assert_eq!(
            days(&["mon".into(), "wed".into(), "fri".into()], &w),
            "Monday, Wednesday and Friday"
        );
    }

    #[test]
    fn arabic_and_joins_the_next_word() {
        let s = serde_json::json!({"days": {"mon": "الاثنين", "wed": "الأربعاء"}, "hours": {"and": "و", "and_joins": true}});
        let w = Words { strings: &s };
        assert_eq!(days(&["mon".into(), "wed".into()], &w), "الاثنين والأربعاء");
    }

    /// Regression: Arabic ranges read "الاثنين إلى الجمعة, 9:00 إلى 13:00",
    /// with no "من" (from) and a Latin comma.
    #[test]
    fn arabic_ranges_say_from_and_use_the_arabic_comma() {
        let s = serde_json::json!({
            "days": {"mon": "الاثنين", "tue": "الثلاثاء", "wed": "الأربعاء", "thu": "الخميس", "fri": "الجمعة"},
            "hours": {"to": "إلى", "range": "من {from} إلى {to}", "comma": "، ", "and": "و", "and_joins": true, "clock": "24h"}
        });
        let w = Words { strings: &s };
        let h = |d: &[&str]| Hours {
            days: d.iter().map(|x| x.to_string()).collect(),
            opens: "09:00".into(),
            closes: "13:00".into(),
        };
        assert_eq!(
            lines(&[h(&["mon", "tue", "wed", "thu", "fri"])], &w),
            ["من الاثنين إلى الجمعة، من 9:00 إلى 13:00"]
        );
        assert_eq!(
            lines(&[h(&["mon", "wed", "fri"])], &w),
            ["الاثنين، الأربعاء والجمعة، من 9:00 إلى 13:00"]
        );
    }

    #[test]
    fn twenty_four_hours_elsewhere() {
        let s = serde_json::json!({"days": {"mon": "lunedì"}, "hours": {"to": "–", "and": "e", "clock": "24h"}});
        let w = Words { strings: &s };
        assert_eq!(time("09:05", &w), "9:05");
        assert_eq!(time("13:00", &w), "13:00");
    }
}
