//! Bounds on input from outside: how deeply a value may nest and which characters text may hold.
//!
//! Every walk here is iterative (an explicit stack, never recursion), so a hostile value nested
//! a million levels deep is measured without touching the thread's stack. Adapters call these
//! before anything recursive (serde conversions, rule parsing, diffing) sees the value.

use serde_json::Value;

/// The deepest an input value may nest (the contract: deeper than 64 levels is `BAD_INPUT`).
pub const MAX_DEPTH: usize = 64;

/// How deeply `value` nests: a scalar is 0, `[1]` and `{"a": 1}` are 1, `[[1]]` is 2.
/// Counting stops at `limit + 1`, so the walk is cheap even for huge values.
pub fn depth(value: &Value, limit: usize) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((value, level)) = stack.pop() {
        let inner = level + 1;
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|child| (child, inner))),
            Value::Object(map) => stack.extend(map.values().map(|child| (child, inner))),
            _ => continue,
        }
        deepest = deepest.max(inner);
        if deepest > limit {
            return deepest;
        }
    }
    deepest
}

/// Whether `value` nests deeper than [`MAX_DEPTH`].
pub fn too_deep(value: &Value) -> bool {
    depth(value, MAX_DEPTH) > MAX_DEPTH
}

/// Whether text holds a control character other than tab, line feed and carriage return
/// (NUL among them, which PostgreSQL cannot store in text).
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The first string in `value` (object keys included) that holds a control character, if any.
pub fn control_character_in(value: &Value) -> Option<&str> {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if has_control_character(text) => return Some(text),
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                if let Some(key) = map.keys().find(|k| has_control_character(k)) {
                    return Some(key);
                }
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    None
}

/// How deeply JSON text nests, read from its brackets alone (strings skipped), so stored text
/// can be measured before a parser recurses into it.
pub fn text_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut value = json!(1);
        for i in 0..levels {
            value = if i % 2 == 0 {
                json!([value])
            } else {
                json!({ "k": value })
            };
        }
        value
    }

    #[test]
    fn depth_counts_levels_of_arrays_and_objects() {
        assert_eq!(depth(&json!("text"), 64), 0);
        assert_eq!(depth(&json!({"a": 1, "b": [1, 2]}), 64), 2);
        assert_eq!(depth(&nested(64), 100), 64);
        assert!(!too_deep(&nested(64)));
        assert!(too_deep(&nested(65)));
    }

    #[test]
    fn a_very_deep_value_is_measured_without_recursion() {
        // Built and dropped by hand: serde_json's own Drop recurses.
        let mut value = json!(null);
        for _ in 0..200_000 {
            value = Value::Array(vec![value]);
        }
        assert!(too_deep(&value));
        let mut current = value;
        while let Value::Array(mut items) = current {
            current = items.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn control_characters_are_found_in_text_keys_and_nested_values() {
        assert!(!has_control_character("tab\tline\nreturn\r é ✓"));
        for bad in ["nul\0", "bell\u{7}", "esc\u{1b}", "del\u{7f}", "c1\u{85}"] {
            assert!(has_control_character(bad), "{bad:?}");
        }
        assert_eq!(
            control_character_in(&json!({"a": ["ok", "b\0"]})),
            Some("b\0")
        );
        assert_eq!(control_character_in(&json!({"k\0": 1})), Some("k\0"));
        assert_eq!(control_character_in(&json!({"a": "fine\n"})), None);
    }

    #[test]
    fn text_depth_reads_brackets_outside_strings() {
        assert_eq!(text_depth(r#"{"a": "[[[{{"}"#), 1);
        assert_eq!(text_depth(r#"[[{"a\"[": [1]}]]"#), 4);
        assert_eq!(text_depth(&nested(130).to_string()), 130);
    }
}
