//! Tolerant reading for wire objects.
//!
//! Wire objects keep unknown fields in a flattened `extra` map. Known optional
//! fields that a server sends as an explicit `null` would otherwise read as
//! absent and vanish on write-back; [`keep_nulls!`] moves such nulls into
//! `extra` so a body round-trips to an equal JSON value.

/// Unknown fields of a wire object, kept in arrival order and written back
/// unchanged.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Implements `Serialize` and `Deserialize` for a wire object whose derives
/// were generated with `#[serde(remote = "Self")]`.
///
/// The listed fields must be `Option`s; a field whose JSON key differs from
/// its name is listed as `field = "key"`.
/// An explicit `null` for one of them is kept in `extra`; on write, a kept
/// `null` is dropped when the caller has since set the field, so a value is
/// never shadowed.
macro_rules! keep_nulls {
    ($ty:ident { $($field:ident $(= $key:literal)?),+ $(,)? }) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let set: &[(&str, bool)] =
                    &[$(($crate::tolerant::wire_key!($field $(, $key)?), self.$field.is_some())),+];
                let shadowed = set
                    .iter()
                    .any(|(key, is_set)| *is_set && self.extra.contains_key(*key));
                if !shadowed {
                    return $ty::serialize(self, serializer);
                }
                let mut copy = self.clone();
                for (key, is_set) in set {
                    if *is_set {
                        copy.extra.remove(*key);
                    }
                }
                $ty::serialize(&copy, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut object = <$crate::Extra as ::serde::Deserialize>::deserialize(deserializer)?;
                let mut nulls = $crate::Extra::new();
                for key in [$($crate::tolerant::wire_key!($field $(, $key)?)),+] {
                    if matches!(object.get(key), Some(::serde_json::Value::Null)) {
                        object.remove(key);
                        nulls.insert(key.to_owned(), ::serde_json::Value::Null);
                    }
                }
                let mut value = $ty::deserialize(::serde_json::Value::Object(object))
                    .map_err(<D::Error as ::serde::de::Error>::custom)?;
                value.extra.extend(nulls);
                Ok(value)
            }
        }
    };
}

/// The JSON key of a field listed in [`keep_nulls!`].
macro_rules! wire_key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $key:literal) => {
        $key
    };
}

pub(crate) use {keep_nulls, wire_key};
