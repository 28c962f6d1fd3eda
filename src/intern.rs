//! Interned names: every key and declaration name is stored once and compared as a number.

use std::collections::HashMap;
use std::sync::Arc;

/// An interned string. Two symbols from the same [`Interner`] are equal exactly when their
/// strings are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(u32);

impl Symbol {
    /// A symbol no interner hands out, for names that were never interned.
    pub const MISSING: Symbol = Symbol(u32::MAX);
}

/// The table of interned strings of one compilation.
#[derive(Debug, Default)]
pub struct Interner {
    ids: FastMap<Arc<str>, Symbol>,
    strings: Vec<Arc<str>>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    pub fn intern(&mut self, text: &str) -> Symbol {
        if let Some(&symbol) = self.ids.get(text) {
            return symbol;
        }
        let symbol = Symbol(self.strings.len() as u32);
        let shared: Arc<str> = Arc::from(text);
        self.strings.push(shared.clone());
        self.ids.insert(shared, symbol);
        symbol
    }

    /// The symbol of `text` if it was ever interned.
    pub fn get(&self, text: &str) -> Option<Symbol> {
        self.ids.get(text).copied()
    }

    pub fn resolve(&self, symbol: Symbol) -> &str {
        &self.strings[symbol.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// Paths of symbols, each stored once and shared. Every community of a fleet sets the same few
/// paths (`jupyterhub.singleuser.image`), so an operation holds a pointer to the one copy of its
/// path rather than a vector of its own.
#[derive(Debug, Default)]
pub struct Paths {
    shared: std::collections::HashSet<Arc<[Symbol]>, std::hash::BuildHasherDefault<FastHasher>>,
}

impl Paths {
    pub fn intern(&mut self, path: &[Symbol]) -> Arc<[Symbol]> {
        if let Some(shared) = self.shared.get(path) {
            return shared.clone();
        }
        let shared: Arc<[Symbol]> = Arc::from(path);
        self.shared.insert(shared.clone());
        shared
    }
}

/// A fast hasher for small keys such as symbols and paths of symbols (the multiply-rotate hash
/// rustc uses). Not resistant to crafted collisions, which do not matter for config files.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

/// A hash map with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
