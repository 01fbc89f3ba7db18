//! Type expressions given to `convert` as text (`list(string)`, `object({a=number})`).

use std::collections::BTreeMap;

use crate::value::Type;

/// Parses a type expression; `None` when it is not one.
pub fn parse_type_expr(text: &str) -> Option<Type> {
    let mut p = TypeTextParser {
        chars: text.chars().collect(),
        pos: 0,
    };
    let t = p.parse_type()?;
    p.ws();
    (p.pos == p.chars.len()).then_some(t)
}

/// A reader over the characters of a type expression.
struct TypeTextParser {
    chars: Vec<char>,
    pos: usize,
}

impl TypeTextParser {
    fn ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, ch: char) -> Option<()> {
        self.ws();
        (self.chars.get(self.pos) == Some(&ch)).then(|| self.pos += 1)
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let s = self.pos;
        while self.pos < self.chars.len()
            && (self.chars[self.pos].is_alphanumeric()
                || self.chars[self.pos] == '_'
                || self.chars[self.pos] == '-')
        {
            self.pos += 1;
        }
        (self.pos > s).then(|| self.chars[s..self.pos].iter().collect())
    }

    fn parse_type(&mut self) -> Option<Type> {
        let id = self.ident()?;
        match id.as_str() {
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            "any" => Some(Type::Dynamic),
            "list" | "set" | "map" => {
                self.eat('(')?;
                let e = self.parse_type()?;
                self.eat(')')?;
                Some(match id.as_str() {
                    "list" => Type::list(e),
                    "set" => Type::set(e),
                    _ => Type::map(e),
                })
            }
            "tuple" => {
                self.eat('(')?;
                self.eat('[')?;
                let mut ts = Vec::new();
                self.ws();
                if self.eat(']').is_none() {
                    loop {
                        ts.push(self.parse_type()?);
                        if self.eat(',').is_some() {
                            self.ws();
                            if self.eat(']').is_some() {
                                break;
                            }
                            continue;
                        }
                        self.eat(']')?;
                        break;
                    }
                }
                self.eat(')')?;
                Some(Type::Tuple(ts))
            }
            "object" => {
                self.eat('(')?;
                self.eat('{')?;
                let mut m = BTreeMap::new();
                if self.eat('}').is_none() {
                    loop {
                        let k = self.ident()?;
                        if self.eat('=').is_none() {
                            self.eat(':')?;
                        }
                        let t = self.attr_ty()?;
                        m.insert(k, t);
                        if self.eat(',').is_some() {
                            if self.eat('}').is_some() {
                                break;
                            }
                            continue;
                        }
                        if self.eat('}').is_some() {
                            break;
                        }
                    }
                }
                self.eat(')')?;
                Some(Type::Object(m))
            }
            _ => None,
        }
    }

    /// An object attribute's type: `optional(T)` is allowed here only.
    fn attr_ty(&mut self) -> Option<Type> {
        let save = self.pos;
        if self.ident().as_deref() == Some("optional") && self.eat('(').is_some() {
            let t = self.parse_type()?;
            self.eat(')')?;
            return Some(Type::Optional(Box::new(t)));
        }
        self.pos = save;
        self.parse_type()
    }
}
