//! The one place the resolver's rules report into: it turns a [`Finding`] into a [`Diagnostic`] at a line of the
//! catalogue, applies `--strict`, records a component's acknowledged warnings, and ends the run with every error
//! at once.

use super::rules::{At, Finding, Level};
use crate::catalog::load::Loaded;
use crate::error::{Diagnostic, Error, Result, Severity};
use crate::model::Acknowledged;
use indexmap::IndexMap;
use std::collections::HashSet;

/// Collects every diagnostic of one resolution, in the order the rules found them.
pub struct Sink<'a> {
    loaded: &'a Loaded,
    strict: bool,
    diags: Vec<Diagnostic>,
}

/// What a finding's relative place means for one catalogue node.
pub struct Place<'a> {
    /// The node's JSON Pointer (`/releases/2/components/0`; empty for the whole catalogue).
    pub pointer: String,
    /// The fields the component itself names (the others came from its tier or the defaults).
    pub named: &'a dyn Fn(&str) -> bool,
    /// Where the strategy was chosen, for [`At::Strategy`].
    pub strategy: String,
    /// Whether the component autoscales, for [`At::ReplicaCount`].
    pub autoscaled: bool,
}

impl Place<'_> {
    /// A place with no component around it (the catalogue, a release, an `avoidNodes` block).
    pub fn plain(pointer: String) -> Place<'static> {
        Place {
            strategy: format!("{pointer}/strategy"),
            pointer,
            named: &every_field,
            autoscaled: false,
        }
    }

    /// The JSON Pointer `at` names here.
    pub fn pointer(&self, at: &At) -> String {
        let field = |f: &str| {
            if (self.named)(f) {
                format!("{}/{f}", self.pointer)
            } else {
                self.pointer.clone()
            }
        };
        match at {
            At::Exact(p) if p.is_empty() => self.pointer.clone(),
            At::Exact(p) => format!("{}/{p}", self.pointer),
            At::Named(f) => field(f),
            At::Strategy => self.strategy.clone(),
            At::ReplicaCount if self.autoscaled => format!("{}/autoscale/min", self.pointer),
            At::ReplicaCount => field("replicas"),
        }
    }
}

/// Outside a component every place names its own fields.
fn every_field(_: &str) -> bool {
    true
}

/// A component's acknowledgements, and what the rules made of them.
pub struct Acks<'c> {
    pub given: &'c IndexMap<String, String>,
    /// The codes that fired, acknowledged or not.
    pub fired: HashSet<&'static str>,
    pub accepted: Vec<Acknowledged>,
}

impl<'c> Acks<'c> {
    pub fn new(given: &'c IndexMap<String, String>) -> Self {
        Acks {
            given,
            fired: HashSet::new(),
            accepted: Vec::new(),
        }
    }
}

impl<'a> Sink<'a> {
    pub fn new(loaded: &'a Loaded, strict: bool) -> Self {
        Sink {
            loaded,
            strict,
            diags: Vec::new(),
        }
    }

    fn push(&mut self, severity: Severity, pointer: &str, message: String) {
        self.diags.push(self.loaded.at(severity, pointer, message));
    }

    /// Reports findings of a rule that ran outside a component.
    pub fn report(&mut self, place: &Place, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.report_one(place, None, f);
        }
    }

    /// Reports findings of a rule about a component: a coded warning the component acknowledges is recorded
    /// with its reason instead of printed.
    pub fn report_component(&mut self, place: &Place, acks: &mut Acks, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.report_one(place, Some(&mut *acks), f);
        }
    }

    fn report_one(&mut self, place: &Place, acks: Option<&mut Acks>, f: Finding) {
        let pointer = place.pointer(&f.at);
        match f.level {
            Level::Error => self.push(Severity::Error, &pointer, f.message),
            Level::Notice => self.push(Severity::Warning, &pointer, f.message),
            Level::Warning(code) => {
                let severity = if self.strict {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                let Some(code) = code else {
                    return self.push(severity, &pointer, f.message);
                };
                let Some(acks) = acks else {
                    return self.push(severity, &pointer, format!("{} [{code}]", f.message));
                };
                acks.fired.insert(code);
                match acks.given.get(code) {
                    Some(reason) => acks.accepted.push(Acknowledged {
                        code: code.to_string(),
                        message: f.message,
                        reason: reason.clone(),
                    }),
                    None => self.push(severity, &pointer, format!("{} [{code}]", f.message)),
                }
            }
        }
    }

    /// Diagnostics found elsewhere (the values files a release names), in order.
    pub fn extend(&mut self, diags: Vec<Diagnostic>) {
        self.diags.extend(diags);
    }

    /// The warnings, or every problem at once when one of them is an error: the catalogue's own first, then
    /// those in the values files it names.
    pub fn finish(mut self) -> Result<Vec<Diagnostic>> {
        if self.diags.iter().any(|d| d.severity == Severity::Error) {
            let file = self.loaded.file.clone();
            self.diags
                .sort_by_key(|d| (d.severity, d.file != file, d.pos, d.pointer.clone()));
            return Err(Error::Catalogue(self.diags));
        }
        Ok(self.diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &str = "cluster:\n  name: lab\n  nodes:\n    - name: n1\ndefaults: {}\nreleases: []\n";

    #[test]
    fn places_name_the_line_that_chose_the_value() {
        let named = |f: &str| f == "replicas";
        let place = |autoscaled| Place {
            pointer: "/releases/0/components/1".into(),
            named: &named,
            strategy: "/defaults/strategy".into(),
            autoscaled,
        };
        struct Case {
            name: &'static str,
            at: At,
            autoscaled: bool,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "exact",
                at: At::Exact("autoscale/max".into()),
                autoscaled: false,
                want: "/releases/0/components/1/autoscale/max",
            },
            Case {
                name: "the node",
                at: At::Exact(String::new()),
                autoscaled: false,
                want: "/releases/0/components/1",
            },
            Case {
                name: "named here",
                at: At::Named("replicas"),
                autoscaled: false,
                want: "/releases/0/components/1/replicas",
            },
            Case {
                name: "named elsewhere",
                at: At::Named("pdb"),
                autoscaled: false,
                want: "/releases/0/components/1",
            },
            Case {
                name: "strategy",
                at: At::Strategy,
                autoscaled: false,
                want: "/defaults/strategy",
            },
            Case {
                name: "count",
                at: At::ReplicaCount,
                autoscaled: false,
                want: "/releases/0/components/1/replicas",
            },
            Case {
                name: "count autoscaled",
                at: At::ReplicaCount,
                autoscaled: true,
                want: "/releases/0/components/1/autoscale/min",
            },
        ];
        for c in cases {
            assert_eq!(place(c.autoscaled).pointer(&c.at), c.want, "{}", c.name);
        }
        assert_eq!(
            Place::plain(String::new()).pointer(&At::Exact("alerts".into())),
            "/alerts"
        );
    }

    #[test]
    fn levels_strictness_and_acknowledgements() {
        let loaded = crate::catalog::load_str(CATALOGUE, "c.yaml").unwrap();
        let given: IndexMap<String, String> = [("known-code".to_string(), "a good reason".to_string())].into();
        let f = |level, m: &str| Finding {
            level,
            at: At::Exact(String::new()),
            message: m.into(),
        };
        let findings = || {
            [
                f(Level::Warning(None), "plain"),
                f(Level::Warning(Some("known-code")), "accepted"),
                f(Level::Warning(Some("other")), "coded"),
                f(Level::Notice, "notice"),
            ]
        };
        let root = Place::plain(String::new());
        struct Case {
            strict: bool,
            want: Vec<Severity>,
        }
        let cases = [
            Case {
                strict: false,
                want: vec![Severity::Warning; 3],
            },
            Case {
                strict: true,
                want: vec![Severity::Error, Severity::Error, Severity::Warning],
            },
        ];
        for c in cases {
            let mut sink = Sink::new(&loaded, c.strict);
            let mut acks = Acks::new(&given);
            sink.report_component(&root, &mut acks, findings());
            let got: Vec<Severity> = sink.diags.iter().map(|d| d.severity).collect();
            assert_eq!(got, c.want, "strict {}", c.strict);
            assert_eq!(acks.fired, HashSet::from(["known-code", "other"]));
            assert_eq!(acks.accepted.len(), 1);
            assert_eq!(acks.accepted[0].reason, "a good reason");
            let messages: Vec<&str> = sink.diags.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(messages, ["plain", "coded [other]", "notice"]);
        }
        let mut sink = Sink::new(&loaded, false);
        sink.report(&root, findings());
        assert_eq!(sink.diags.len(), 4, "outside a component nothing is acknowledged");
    }

    #[test]
    fn finish_returns_every_error_at_once_or_the_warnings() {
        let loaded = crate::catalog::load_str(CATALOGUE, "c.yaml").unwrap();
        let root = Place::plain(String::new());
        let mut sink = Sink::new(&loaded, false);
        sink.report(&root, [Finding::warning(At::Exact("cluster".into()), "w".into())]);
        assert_eq!(sink.finish().unwrap().len(), 1);
        let mut sink = Sink::new(&loaded, false);
        sink.report(&root, [Finding::warning(At::Exact("cluster/nodes".into()), "w".into())]);
        sink.report(&root, [Finding::error(At::Exact("cluster/name".into()), "e1".into())]);
        sink.report(&root, [Finding::error(At::Exact("cluster".into()), "e0".into())]);
        let Err(Error::Catalogue(d)) = sink.finish() else {
            panic!("errors end the run")
        };
        let order: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["e0", "e1", "w"], "errors first, by line");
    }
}
