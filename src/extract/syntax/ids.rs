//! Field ids and kind names of the readers' grammars, looked up once per grammar.
//!
//! `Node::child_by_field_name` turns the name into the grammar's field id on every call, by
//! comparing it with the grammar's field names one after the other (TypeScript has over a
//! hundred), and `Node::kind` measures the kind's name and checks it as UTF-8 on every call.
//! The code readers ask both of most nodes of every file. Here each grammar's field ids and kind
//! names are resolved once, the first time a reader meets the grammar; asking by [`TsField`] then
//! costs an array index. The answers are the same as by name (the test below walks every
//! fixture both ways).

use std::sync::OnceLock;

use tree_sitter::{Language, Node};

macro_rules! field_names {
    ($($variant:ident = $name:literal,)*) => {
        /// A field the readers ask nodes for (`function` of a call, `left` of an assignment).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum TsField {
            $($variant,)*
        }

        impl TsField {
            /// Every field, in the order of their ids here.
            pub const ALL: &'static [TsField] = &[$(TsField::$variant,)*];

            /// The field's name in the grammars.
            pub fn name(self) -> &'static str {
                match self {
                    $(TsField::$variant => $name,)*
                }
            }
        }
    };
}

field_names! {
    Alias = "alias",
    Alternative = "alternative",
    Argument = "argument",
    Arguments = "arguments",
    Attribute = "attribute",
    Block = "block",
    Body = "body",
    Condition = "condition",
    Consequence = "consequence",
    Declaration = "declaration",
    DefaultValue = "default_value",
    Expression = "expression",
    Function = "function",
    Index = "index",
    Key = "key",
    Left = "left",
    Method = "method",
    ModuleName = "module_name",
    Name = "name",
    Object = "object",
    Operator = "operator",
    Property = "property",
    Receiver = "receiver",
    Right = "right",
    Subscript = "subscript",
    Superclasses = "superclasses",
    Type = "type",
    Value = "value",
}

/// The grammars the code readers parse with.
fn grammars() -> [Language; 7] {
    [
        tree_sitter_javascript::LANGUAGE.into(),
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        tree_sitter_typescript::LANGUAGE_TSX.into(),
        tree_sitter_python::LANGUAGE.into(),
        tree_sitter_php::LANGUAGE_PHP.into(),
        tree_sitter_php::LANGUAGE_PHP_ONLY.into(),
        tree_sitter_ruby::LANGUAGE.into(),
    ]
}

/// One grammar's field ids (by [`TsField`]) and kind names (by kind id).
pub struct Grammar {
    language: Language,
    /// 0 for a field the grammar does not have (then no node has a child by it).
    fields: Vec<u16>,
    kinds: Vec<Option<&'static str>>,
}

impl Grammar {
    fn new(language: Language) -> Self {
        let fields = TsField::ALL
            .iter()
            .map(|f| {
                language
                    .field_id_for_name(f.name())
                    .map_or(0, std::num::NonZeroU16::get)
            })
            .collect();
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
            })
            .collect();
        Grammar {
            language,
            fields,
            kinds,
        }
    }

    /// The grammar a node was parsed with, if it is one of the readers' grammars.
    pub fn of(n: Node) -> Option<&'static Grammar> {
        static ALL: OnceLock<Vec<Grammar>> = OnceLock::new();
        let all = ALL.get_or_init(|| grammars().into_iter().map(Grammar::new).collect());
        let language = n.language();
        all.iter().find(|g| g.language == *language)
    }

    /// The child of `n` in field `f` (what `n.child_by_field_name(f.name())` gives).
    pub fn field<'t>(&self, n: Node<'t>, f: TsField) -> Option<Node<'t>> {
        n.child_by_field_id(self.fields[f as usize])
    }

    /// The kind of `n` (what `n.kind()` gives).
    pub fn kind(&self, n: Node) -> &'static str {
        match self.kinds.get(usize::from(n.kind_id())) {
            Some(Some(kind)) => kind,
            // ERROR (its id is past the table) and ids the grammar has no name for.
            _ => n.kind(),
        }
    }
}

/// Asking a node for a field by [`TsField`]: `n.field(TsField::Left)`.
pub trait FieldOf<'t> {
    /// The child in field `f` (what `child_by_field_name(f.name())` gives), by the field id
    /// of the node's grammar.
    fn field(&self, f: TsField) -> Option<Node<'t>>;
}

impl<'t> FieldOf<'t> for Node<'t> {
    fn field(&self, f: TsField) -> Option<Node<'t>> {
        match Grammar::of(*self) {
            Some(g) => g.field(*self, f),
            None => self.child_by_field_name(f.name()),
        }
    }
}

/// The kinds of the nodes of one tree, its grammar looked up once: for the walkers that ask
/// every node of a file for its kind.
#[derive(Clone, Copy)]
pub struct Kinds(Option<&'static Grammar>);

impl Kinds {
    /// For the nodes of the tree `n` is in.
    pub fn of(n: Node) -> Self {
        Kinds(Grammar::of(n))
    }

    /// The kind of `n` (what `n.kind()` gives).
    pub fn kind(self, n: Node) -> &'static str {
        match self.0 {
            Some(g) => g.kind(n),
            None => n.kind(),
        }
    }
}

/// The kind of `n` (what `n.kind()` gives), from its grammar's table of kind names.
pub fn kind(n: Node) -> &'static str {
    Kinds::of(n).kind(n)
}

#[cfg(test)]
mod tests;
