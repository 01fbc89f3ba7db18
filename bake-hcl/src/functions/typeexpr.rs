//! Type expressions given to `convert` as text (`list(string)`, `object({a=number})`).

use std::collections::BTreeMap;

use crate::value::Type;

/// Parses a type expression; `None` when it is not one.
pub fn parse_type_expr(text: &str) -> Option<Type> {
    let mut p = P {
        c: text.chars().collect(),
        i: 0,
    };
    let t = p.ty()?;
    p.ws();
    (p.i == p.c.len()).then_some(t)
}

struct P {
    c: Vec<char>,
    i: usize,
}

impl P {
    fn ws(&mut self) {
        while self.i < self.c.len() && self.c[self.i].is_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, ch: char) -> Option<()> {
        self.ws();
        (self.c.get(self.i) == Some(&ch)).then(|| self.i += 1)
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let s = self.i;
        while self.i < self.c.len()
            && (self.c[self.i].is_alphanumeric() || self.c[self.i] == '_' || self.c[self.i] == '-')
        {
            self.i += 1;
        }
        (self.i > s).then(|| self.c[s..self.i].iter().collect())
    }

    fn ty(&mut self) -> Option<Type> {
        let id = self.ident()?;
        match id.as_str() {
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            "any" => Some(Type::Dynamic),
            "list" | "set" | "map" => {
                self.eat('(')?;
                let e = self.ty()?;
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
                        ts.push(self.ty()?);
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
        let save = self.i;
        if self.ident().as_deref() == Some("optional") && self.eat('(').is_some() {
            let t = self.ty()?;
            self.eat(')')?;
            return Some(Type::Optional(Box::new(t)));
        }
        self.i = save;
        self.ty()
    }
}
