//! [`Node`]: a value of a file being walked, and where it is (computed only when asked for).

use serde_json::Value;

use crate::files::Place;

/// A value of the description and where it is. The place is computed only when asked for
/// (stored in the model, or named in a diagnostic): most of the walk never needs it.
pub(crate) struct Node<'n, 'f> {
    pub(crate) value: &'f Value,
    pub(crate) at: At<'n, 'f>,
}

/// Where a [`Node`] is: a known place, or a member of its parent.
pub(crate) enum At<'n, 'f> {
    Place(Place),
    Member(&'n Node<'n, 'f>, &'f str),
}

impl<'n, 'f> Node<'n, 'f> {
    pub(crate) fn child<'c>(&'c self, key: &'f str) -> Option<Node<'c, 'f>> {
        let value = match self.value {
            Value::Object(map) => map.get(key)?,
            _ => return None,
        };
        Some(Node {
            value,
            at: At::Member(self, key),
        })
    }

    pub(crate) fn place(&self) -> Place {
        match &self.at {
            At::Place(place) => place.clone(),
            At::Member(parent, key) => {
                // Extended in place: `Place::child` would copy the pointer at every level.
                let mut place = parent.place();
                place.pointer.push_back(jsonptr::Token::new(*key));
                place
            }
        }
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'f String, &'f Value)> + use<'f, 'n> {
        let map = match self.value {
            Value::Object(map) => Some(map),
            _ => None,
        };
        map.into_iter().flatten()
    }

    pub(crate) fn str(&self, key: &str) -> Option<&'f str> {
        self.value.get(key).and_then(Value::as_str)
    }
}
