//! Objects as the code uses them: what is assigned to their properties and which methods are
//! called on them, in source order. What any of it means is the client's business.
//!
//! An object is a receiver (`$mail`, `$this->mailer`) in a scope: a function for variables, a
//! class for `$this->...`. `$x = new Class(...)` starts a new object on that receiver; the first
//! statement on a receiver nothing was created on starts one too.

use std::collections::HashMap;
use std::ops::Range;

use super::value::Expr;

/// A receiver in its scope: (scope node id, receiver text without spaces).
pub type Key = (usize, String);
/// The branches (`if`/`elseif`/`else` arms, `switch` cases) a statement sits in, as
/// (owner, arm) node ids.
pub type Branches = Vec<(usize, usize)>;
/// Keys of a nested array assignment, with their spans.
pub type KeyPath = Vec<(String, Range<usize>)>;

/// One statement on an object.
#[derive(Debug)]
pub enum Event {
    /// `$x->Name = value;`
    Prop {
        stmt: Range<usize>,
        name: String,
        name_span: Range<usize>,
        value: Expr,
        branches: Branches,
    },
    /// `$x->Name['a']['b'] = value;`
    PropPath {
        stmt: Range<usize>,
        name: String,
        path: KeyPath,
        value: Expr,
    },
    /// `$x->method(args)`, for the methods the reader was asked about.
    Call {
        /// From the method name to the end of the call.
        call: Range<usize>,
        stmt: Range<usize>,
        /// In lower case (PHP method names are case-insensitive).
        method: String,
        args: Vec<Expr>,
        branches: Branches,
    },
}

#[derive(Debug)]
pub struct Object {
    pub receiver: String,
    /// `new Class(...)`: the class name (its last namespace segment) and the span.
    pub created: Option<(String, Range<usize>)>,
    pub events: Vec<Event>,
    /// Property name -> index of its last `Prop` event, for reading it back.
    last_prop: HashMap<String, usize>,
}

impl Object {
    fn new(receiver: &str, created: Option<(String, Range<usize>)>) -> Object {
        Object {
            receiver: receiver.to_owned(),
            created,
            events: Vec::new(),
            last_prop: HashMap::new(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Objects {
    pub list: Vec<Object>,
    current: HashMap<Key, usize>,
}

impl Objects {
    /// `$x = new Class(...)`.
    pub fn create(&mut self, key: Key, class: String, span: Range<usize>) {
        self.list.push(Object::new(&key.1, Some((class, span))));
        self.current.insert(key, self.list.len() - 1);
    }

    pub fn push(&mut self, key: Key, event: Event) {
        let idx = match self.current.get(&key) {
            Some(&i) => i,
            None => {
                self.list.push(Object::new(&key.1, None));
                self.current.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let obj = &mut self.list[idx];
        if let Event::Prop { name, .. } = &event {
            obj.last_prop.insert(name.clone(), obj.events.len());
        }
        obj.events.push(event);
    }

    /// The last value this file gave a property of the object (`$mail->Username`).
    pub fn lookup(&self, key: &Key, name: &str) -> Option<Expr> {
        let obj = &self.list[*self.current.get(key)?];
        match obj.events.get(*obj.last_prop.get(name)?)? {
            Event::Prop { value, .. } => Some(value.clone()),
            _ => None,
        }
    }
}
