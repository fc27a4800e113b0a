//! `jsonpath` conditions: RFC 9535 queries (`serde_json_path`); a condition passes when its
//! node list is not empty.

/// A parsed query.
#[derive(Debug, Clone)]
pub(crate) struct Path(serde_json_path::JsonPath);

impl Path {
    pub(crate) fn compile(query: &str) -> Result<Self, String> {
        serde_json_path::JsonPath::parse(query)
            .map(Path)
            .map_err(|err| err.to_string())
    }

    /// Whether the query selects at least one node of `root`.
    pub(crate) fn selects_in(&self, root: &serde_json::Value) -> bool {
        !self.0.query(root).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn passes_on_a_non_empty_node_list() {
        let body = json!({"pets": [{"name": "a"}], "next": null});
        assert!(Path::compile("$.pets[*]").expect("valid").selects_in(&body));
        // A member whose value is null is a node.
        assert!(Path::compile("$.next").expect("valid").selects_in(&body));
        assert!(!Path::compile("$.missing").expect("valid").selects_in(&body));
        // The specification's own example filters the children of the root (RFC 9535), so it
        // selects nothing on this body: count(@.pets) is 0 for the array child.
        assert!(
            !Path::compile("$[?count(@.pets) > 0]")
                .expect("valid")
                .selects_in(&body)
        );
        assert!(Path::compile("$[?(").is_err());
    }
}
