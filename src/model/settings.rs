//! Effective settings: what a proxy ends up with after taking its initial
//! settings from a defaults section (configuration.txt §4) and overriding some.

use super::{Model, Section, SectionId, Stmt};

/// Keywords whose setting is named by their first two words (`option httplog`,
/// `timeout server`); for the others the first word is the setting.
pub(crate) const TWO_WORD_KEYWORDS: &[&str] =
    &["option", "timeout", "stats", "compression", "email-alert"];

/// The statement that gives a section one of its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    pub stmt: Stmt,
    /// The section the statement is in (the proxy itself or a defaults section).
    pub section: SectionId,
    /// True when it comes from a defaults section.
    pub inherited: bool,
    /// `no option X`.
    pub negated: bool,
}

/// Proxy mode (`mode`, §4.2); tcp when nothing says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Tcp,
    Http,
    /// `mode health` (removed in 2.x) or `mode log` (log-forward) or anything else.
    Other,
}

/// Defaults chains are short; a longer one is a `from` loop.
const MAX_DEFAULTS_DEPTH: usize = 16;

impl Model {
    /// The statement that sets `key` for `section`: its own last one, or else the
    /// one its defaults section (and the defaults that one inherits) provides.
    pub fn setting(&self, section: &Section, key: &str) -> Option<Setting> {
        self.setting_by_id(section, self.key_id(key)?)
    }

    /// [`Model::setting`] for a key already looked up with `key_id`: rules
    /// that ask the same keys of every proxy look them up once.
    pub fn setting_by_id(&self, section: &Section, key: u32) -> Option<Setting> {
        self.inherited_find(section, |here| {
            here.settings
                .iter()
                .find(|(k, _)| *k == key)
                .map(|&(_, stmt)| ((), stmt))
        })
        .map(|((), setting)| setting)
    }

    /// Look in `section`, then up its chain of defaults sections, for the
    /// first statement `find` picks there.
    fn inherited_find<T>(
        &self,
        section: &Section,
        find: impl Fn(&Section) -> Option<(T, Stmt)>,
    ) -> Option<(T, Setting)> {
        let mut current = Some(section);
        let mut inherited = false;
        for _ in 0..MAX_DEFAULTS_DEPTH {
            let here = current?;
            if let Some((value, stmt)) = find(here) {
                let negated = self.value(stmt, 0) == Some("no");
                return Some((
                    value,
                    Setting {
                        stmt,
                        section: here.id,
                        inherited,
                        negated,
                    },
                ));
            }
            current = here.defaults.map(|id| self.section(id));
            inherited = true;
        }
        None
    }

    /// Whether `option <name>` is in effect: `Some((true, setting))` when enabled,
    /// `Some((false, …))` when `no option <name>` was the last word, `None` when unset.
    pub fn option(&self, section: &Section, name: &str) -> Option<(bool, Setting)> {
        let setting = self.setting_of(section, "option", name)?;
        Some((!setting.negated, setting))
    }

    /// [`Model::setting`] for a two-word key (`timeout`, `server`), without
    /// building the key on the heap: rules ask this for every proxy.
    pub fn setting_of(&self, section: &Section, first: &str, second: &str) -> Option<Setting> {
        let mut buffer = [0u8; 96];
        let length = first.len() + 1 + second.len();
        match buffer.get_mut(..length) {
            Some(slot) => {
                let (head, tail) = slot.split_at_mut(first.len());
                head.copy_from_slice(first.as_bytes());
                if let Some((space, rest)) = tail.split_first_mut() {
                    *space = b' ';
                    rest.copy_from_slice(second.as_bytes());
                }
                let key = std::str::from_utf8(slot).ok()?;
                self.setting(section, key)
            }
            None => self.setting(section, &format!("{first} {second}")),
        }
    }

    pub fn option_enabled(&self, section: &Section, name: &str) -> Option<Setting> {
        match self.option(section, name) {
            Some((true, setting)) => Some(setting),
            _ => None,
        }
    }

    /// The first argument of the statement that sets `key` (`timeout server 30s` → `30s`).
    pub fn setting_value(&self, section: &Section, key: &str) -> Option<(&str, Setting)> {
        let setting = self.setting(section, key)?;
        let skip = key.split(' ').count() + usize::from(self.value(setting.stmt, 0) == Some("no"));
        let value = self.value(setting.stmt, skip)?;
        Some((value, setting))
    }

    /// The proxy mode, computed once when the model is built (rules ask it
    /// for every proxy, many times).
    pub fn mode(&self, section: &Section) -> Mode {
        section.mode
    }

    /// The mode of `section`; `mode_key` is the id of the `mode` key.
    pub(super) fn compute_mode(&self, section: &Section, mode_key: Option<u32>) -> Mode {
        let Some(setting) = mode_key.and_then(|key| self.setting_by_id(section, key)) else {
            return Mode::Tcp;
        };
        match self.value(setting.stmt, 1 + usize::from(setting.negated)) {
            Some("http") => Mode::Http,
            Some("tcp") | None => Mode::Tcp,
            Some(_) => Mode::Other,
        }
    }

    /// The defaults sections `section` inherits from, nearest first, each
    /// once (a `from` loop ends the chain). Rules walk it for every server
    /// of every proxy, so it allocates nothing.
    pub fn defaults_chain(&self, section: &Section) -> impl Iterator<Item = SectionId> + '_ {
        let mut seen = [SectionId(u32::MAX); MAX_DEFAULTS_DEPTH];
        let mut count = 0;
        let mut next = section.defaults;
        std::iter::from_fn(move || {
            let id = next?;
            if seen.get(..count).unwrap_or(&[]).contains(&id) {
                return None;
            }
            *seen.get_mut(count)? = id;
            count += 1;
            next = self.section(id).defaults;
            Some(id)
        })
    }
}

/// How haproxy handles HTTP connections for a proxy (§4 "Proxies"): the
/// `option http-keep-alive` / `http-server-close` / `httpclose` family, where the
/// last one set wins and a section's own setting replaces the inherited one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpConnectionMode {
    KeepAlive,
    ServerClose,
    Close,
}

const CONNECTION_OPTIONS: &[(&str, HttpConnectionMode)] = &[
    ("option http-keep-alive", HttpConnectionMode::KeepAlive),
    ("option http-server-close", HttpConnectionMode::ServerClose),
    ("option httpclose", HttpConnectionMode::Close),
];

/// The connection mode a statement with setting key `key` sets, if it is one of the family.
pub(crate) fn connection_mode_of(key: &str, negated: bool) -> Option<HttpConnectionMode> {
    let (_, mode) = CONNECTION_OPTIONS.iter().find(|(k, _)| *k == key)?;
    Some(if negated {
        HttpConnectionMode::KeepAlive
    } else {
        *mode
    })
}

impl Model {
    /// The connection mode a proxy has on its own (without its peer frontend or
    /// backend), and the statement that set it, if any.
    pub fn http_connection_mode(&self, section: &Section) -> (HttpConnectionMode, Option<Setting>) {
        match self.inherited_find(section, |here| here.connection_mode) {
            Some((mode, setting)) => (mode, Some(setting)),
            None => (HttpConnectionMode::KeepAlive, None),
        }
    }
}

impl Model {
    /// The process-wide `maxconn` of the `global` section (the last one
    /// written wins), with the statement that sets it.
    pub fn global_maxconn(&self) -> Option<(Stmt, u64)> {
        self.sections_of(super::SectionKind::Global)
            .filter_map(|g| self.statements_with(g, "maxconn").last())
            .last()
            .and_then(|stmt| {
                self.value(stmt, 1)
                    .and_then(|v| v.parse().ok())
                    .map(|v| (stmt, v))
            })
    }
}
