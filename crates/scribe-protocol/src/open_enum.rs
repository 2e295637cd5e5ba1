//! Open enums: wire strings with a fixed documented set that newer servers may
//! extend. Unknown strings are kept in an `Other(String)` variant and written
//! back unchanged, so an older SDK never fails on a newer server's value.

/// Declares an open wire enum.
///
/// Each listed variant maps to one documented wire string; any other string
/// becomes `Other(String)`. The macro implements `as_str`, `parse`,
/// `is_known`, `KNOWN`, `Display`, `FromStr` (infallible), `From<&str>`,
/// `From<String>`, serde (as a plain JSON string) and, with the `schemars`
/// feature, `JsonSchema` (a string, with the documented values as examples).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $wire:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this version of the SDK does not know, kept exactly as sent.
            ///
            /// Build values with [`parse`](Self::parse) (or `From<&str>`) so a
            /// documented string always becomes its named variant.
            Other(String),
        }

        impl $name {
            /// Every documented value, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(other) => other.as_str(),
                }
            }

            /// Reads a wire string; unknown strings become `Other`.
            pub fn parse(wire: &str) -> Self {
                match wire {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(wire: &str) -> Result<Self, Self::Err> {
                Ok($name::parse(wire))
            }
        }

        impl From<&str> for $name {
            fn from(wire: &str) -> Self {
                $name::parse(wire)
            }
        }

        impl From<String> for $name {
            fn from(wire: String) -> Self {
                match $name::parse(&wire) {
                    $name::Other(_) => $name::Other(wire),
                    known => known,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let wire = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::parse(&wire))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "description": concat!(
                        "One of the documented values (",
                        $($wire, " ",)+
                        ") or any newer value a server sends."
                    ),
                    "examples": [$($wire),+]
                })
            }
        }
    };
}

pub(crate) use open_enum;
