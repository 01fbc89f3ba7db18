//! [`SortedMap`]: the maps of a target (`args`, `labels`, `contexts`, `extra-hosts`), kept as
//! one vector sorted by key.
//!
//! A target's maps hold a handful of entries, and a file may have thousands of targets, each
//! alive twice (as written and resolved). A `BTreeMap` allocates a node of eleven slots for
//! its first entry (about 540 bytes for string keys and values); a sorted vector holds just
//! its entries. Lookups are binary searches, and iteration is in key order, as `BTreeMap`'s.

use std::fmt;

/// A map from names to `V`, in key order: a vector of entries sorted by key, each key once.
/// Its methods are `BTreeMap`'s, for the ones a target's maps need.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for SortedMap<V> {
    fn default() -> Self {
        SortedMap::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for SortedMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> SortedMap<V> {
    /// An empty map (allocates nothing).
    #[must_use]
    pub const fn new() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }

    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value of `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether the map has `key`.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`; its value, if it had one.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value of `key`, inserting `make()` first when it has none.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key.to_string(), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Keeps the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entries in key order.
    pub fn iter(&self) -> SortedMapIter<'_, V> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The entries in key order, values to change.
    pub fn iter_mut(&mut self) -> SortedMapIterMut<'_, V> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, to change.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Entries sorted by key, the last of equal keys kept (as inserting them one by one
    /// into a map would).
    fn from_vec(mut entries: Vec<(String, V)>) -> Self {
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: among equal keys the last inserted stays last.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(String, V)> = Vec::with_capacity(entries.len());
            for e in entries {
                match out.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => out.push(e),
                }
            }
            entries = out;
        }
        entries.shrink_to_fit();
        SortedMap { entries }
    }
}

/// [`SortedMap::iter`]'s iterator.
pub type SortedMapIter<'a, V> =
    std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a String, &'a V)>;

/// [`SortedMap::iter_mut`]'s iterator.
pub type SortedMapIterMut<'a, V> = std::iter::Map<
    std::slice::IterMut<'a, (String, V)>,
    fn(&'a mut (String, V)) -> (&'a String, &'a mut V),
>;

impl<V> FromIterator<(String, V)> for SortedMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        SortedMap::from_vec(iter.into_iter().collect())
    }
}

impl<V> Extend<(String, V)> for SortedMap<V> {
    /// Inserts every entry, in order (a later value of a key replaces an earlier one). In
    /// one merge of the two sorted lists, so extending a large map stays linear.
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, iter: I) {
        let new = SortedMap::from_iter(iter).entries;
        if new.is_empty() {
            return;
        }
        if self.entries.is_empty() {
            self.entries = new;
            return;
        }
        let old = std::mem::take(&mut self.entries);
        let mut out = Vec::with_capacity(old.len() + new.len());
        let (mut a, mut b) = (old.into_iter().peekable(), new.into_iter().peekable());
        loop {
            let take_new = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.0.cmp(&y.0) {
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Equal => {
                        a.next();
                        true
                    }
                },
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (None, None) => break,
            };
            out.extend(if take_new { b.next() } else { a.next() });
        }
        out.shrink_to_fit();
        self.entries = out;
    }
}

impl<V> From<std::collections::BTreeMap<String, V>> for SortedMap<V> {
    fn from(m: std::collections::BTreeMap<String, V>) -> Self {
        SortedMap {
            entries: m.into_iter().collect(),
        }
    }
}

impl<V, const N: usize> From<[(String, V); N]> for SortedMap<V> {
    fn from(a: [(String, V); N]) -> Self {
        SortedMap::from_iter(a)
    }
}

impl<V> std::ops::Index<&str> for SortedMap<V> {
    type Output = V;

    /// The value of `key`; panics when the map has none (as `BTreeMap`'s index does).
    fn index(&self, key: &str) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<V> IntoIterator for SortedMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a SortedMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = SortedMapIter<'a, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, V> IntoIterator for &'a mut SortedMap<V> {
    type Item = (&'a String, &'a mut V);
    type IntoIter = SortedMapIterMut<'a, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;

    fn m(pairs: &[(&str, i32)]) -> SortedMap<i32> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect()
    }

    #[test]
    fn collects_sorted_last_value_wins() {
        let a = m(&[("b", 1), ("a", 2), ("b", 3)]);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [(&"a".to_string(), &2), (&"b".to_string(), &3)]
        );
    }

    #[test]
    fn extend_merges_and_replaces() {
        let mut a = m(&[("a", 1), ("c", 3)]);
        a.extend(m(&[("b", 2), ("c", 4), ("d", 5)]));
        assert_eq!(a, m(&[("a", 1), ("b", 2), ("c", 4), ("d", 5)]));
    }

    #[test]
    fn insert_remove_retain() {
        let mut a = SortedMap::new();
        assert_eq!(a.insert("b".into(), 1), None);
        assert_eq!(a.insert("a".into(), 2), None);
        assert_eq!(a.insert("b".into(), 3), Some(1));
        assert_eq!(a.keys().collect::<Vec<_>>(), ["a", "b"]);
        *a.get_or_insert_with("c", || 0) += 9;
        a.retain(|_, v| *v != 2);
        assert_eq!(a, m(&[("b", 3), ("c", 9)]));
        assert_eq!(a.remove("b"), Some(3));
        assert!(!a.contains_key("b"));
        assert_eq!(a["c"], 9);
    }
}
