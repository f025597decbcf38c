//! Ages written as kubectl writes them (`45s`, `3m20s`, `5h`, `2d4h`, `3y`).

/// kubectl's `HumanDuration` of a number of seconds.
pub fn human_age(seconds: i64) -> String {
    if seconds < 0 {
        return "0s".into();
    }
    let (minutes, hours, days) = (seconds / 60, seconds / 3600, seconds / 86_400);
    let years = days / 365;
    match () {
        _ if seconds < 120 => format!("{seconds}s"),
        _ if minutes < 10 => with_rest(minutes, "m", seconds % 60, "s"),
        _ if minutes < 180 => format!("{minutes}m"),
        _ if hours < 8 => with_rest(hours, "h", minutes % 60, "m"),
        _ if hours < 48 => format!("{hours}h"),
        _ if hours < 24 * 8 => with_rest(days, "d", hours % 24, "h"),
        _ if days < 365 * 2 => format!("{days}d"),
        _ if days < 365 * 8 => with_rest(years, "y", days % 365, "d"),
        _ => format!("{years}y"),
    }
}

fn with_rest(major: i64, major_unit: &str, minor: i64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major}{major_unit}")
    } else {
        format!("{major}{major_unit}{minor}{minor_unit}")
    }
}

/// An optional age, `-` when unknown.
pub fn age_or_dash(seconds: Option<i64>) -> String {
    seconds.map_or_else(|| "-".into(), human_age)
}

#[cfg(test)]
mod tests {
    use super::human_age;

    #[test]
    fn matches_kubectl() {
        for (secs, text) in [
            (5, "5s"),
            (119, "119s"),
            (200, "3m20s"),
            (600, "10m"),
            (3 * 3600 + 60, "3h1m"),
            (30 * 3600, "30h"),
            (50 * 3600, "2d2h"),
            (30 * 86_400, "30d"),
            (800 * 86_400, "2y70d"),
        ] {
            assert_eq!(human_age(secs), text, "{secs}");
        }
    }
}
