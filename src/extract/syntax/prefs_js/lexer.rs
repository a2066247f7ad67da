//! The tokens of the preferences syntax: words, string literals (with JavaScript's escapes
//! decoded), integers, punctuation; comments and whitespace skipped.

use std::ops::Range;

use super::SyntaxError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    /// `[A-Za-z_]+`
    Word,
    /// A string literal: its value, or the first error inside it.
    Str(Result<String, SyntaxError>),
    /// Unsigned digits; `None` when they overflow `u32`.
    Int(Option<u32>),
    /// One of `( ) , ; + -`.
    Punct(u8),
    /// Bytes that cannot start a token (the message says why).
    Bad(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Range<usize>,
    /// Strings: the bytes between the quotes (to the line end when unterminated).
    pub(super) inner: Range<usize>,
    /// Where the lexer stands after this token.
    pub(super) next: usize,
    /// Strings: the first line break inside the literal, if any.
    pub(super) eol: Option<usize>,
}

pub(super) struct Lexer<'t> {
    pub(super) text: &'t str,
    pub(super) bytes: &'t [u8],
    pub(super) pos: usize,
    pub(super) nul: Option<usize>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(super) fn is_eol(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

impl<'t> Lexer<'t> {
    pub(super) fn new(text: &'t str, start: usize) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: start,
            nul: None,
        }
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes[from.min(self.len())..]
            .iter()
            .position(|&b| is_eol(b))
            .map_or(self.len(), |i| from + i)
    }

    /// Length in bytes of the character starting at `at` (1 if `at` is not a boundary).
    fn char_len(&self, at: usize) -> usize {
        self.text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn token(&self, tok: Tok, span: Range<usize>) -> Token {
        Token {
            tok,
            inner: span.clone(),
            next: span.end,
            eol: None,
            span,
        }
    }

    pub(super) fn next_token(&mut self) -> Token {
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                let end = self.len();
                return self.token(Tok::Eof, end..end);
            };
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                0 => {
                    self.nul.get_or_insert(start);
                    self.pos += 1;
                }
                b'#' => self.pos = self.line_end(start),
                b'/' => match self.bytes.get(start + 1) {
                    Some(b'/') => self.pos = self.line_end(start),
                    Some(b'*') => {
                        let body = &self.bytes[start + 2..];
                        match body.windows(2).position(|w| w == b"*/") {
                            Some(i) => self.pos = start + 2 + i + 2,
                            None => {
                                self.pos = self.len();
                                let mut t = self
                                    .token(Tok::Bad("unterminated `/*` comment"), start..start + 2);
                                t.next = self.len();
                                return t;
                            }
                        }
                    }
                    _ => {
                        self.pos = start + 1;
                        return self.token(
                            Tok::Bad("stray `/`: comments start with `//` or `/*`"),
                            start..start + 1,
                        );
                    }
                },
                b'"' | b'\'' => return self.string(start),
                b'0'..=b'9' => {
                    let mut end = start;
                    let mut value: Option<u32> = Some(0);
                    while let Some(&d) = self.bytes.get(end).filter(|d| d.is_ascii_digit()) {
                        value = value
                            .and_then(|v| v.checked_mul(10))
                            .and_then(|v| v.checked_add(u32::from(d - b'0')));
                        end += 1;
                    }
                    if self.bytes.get(end).copied().is_some_and(is_word_byte) {
                        while self.bytes.get(end).copied().is_some_and(is_word_byte) {
                            end += 1;
                        }
                        self.pos = end;
                        return self.token(Tok::Bad("letters inside a number"), start..end);
                    }
                    self.pos = end;
                    return self.token(Tok::Int(value), start..end);
                }
                b'(' | b')' | b',' | b';' | b'+' | b'-' => {
                    self.pos = start + 1;
                    return self.token(Tok::Punct(b), start..start + 1);
                }
                _ if is_word_byte(b) => {
                    let mut end = start;
                    while self.bytes.get(end).copied().is_some_and(is_word_byte) {
                        end += 1;
                    }
                    self.pos = end;
                    return self.token(Tok::Word, start..end);
                }
                _ => {
                    let end = start + self.char_len(start);
                    self.pos = end;
                    return self.token(Tok::Bad("unexpected character"), start..end);
                }
            }
        }
    }

    /// Hex digits at `at`: the value, or `None`, and how many digits matched.
    fn hex(&self, at: usize, n: usize) -> (Option<u32>, usize) {
        let mut v = 0u32;
        for k in 0..n {
            match self
                .bytes
                .get(at + k)
                .and_then(|&b| (b as char).to_digit(16))
            {
                Some(d) => v = v * 16 + d,
                None => return (None, k),
            }
        }
        (Some(v), n)
    }

    fn string(&mut self, start: usize) -> Token {
        let quote = self.bytes[start];
        let mut i = start + 1;
        let mut out = String::new();
        let mut err: Option<SyntaxError> = None;
        loop {
            let Some(&b) = self.bytes.get(i) else {
                // Unterminated: blame the opening line and resume at its end.
                let end = self.line_end(start + 1);
                self.pos = end;
                return Token {
                    tok: Tok::Str(Err(SyntaxError {
                        span: start..end,
                        message: "unterminated string",
                    })),
                    span: start..end,
                    inner: start + 1..end,
                    next: end,
                    eol: None,
                };
            };
            if b == quote {
                i += 1;
                break;
            }
            if b != b'\\' {
                let n = self.char_len(i);
                out.push_str(self.text.get(i..i + n).unwrap_or("\u{fffd}"));
                i += n;
                continue;
            }
            let (next, problem) = self.escape(i, &mut out);
            if let Some(message) = problem {
                err.get_or_insert(SyntaxError {
                    span: i..next,
                    message,
                });
            }
            i = next;
        }
        self.pos = i;
        let eol = self.bytes[start + 1..i - 1]
            .iter()
            .position(|&b| is_eol(b))
            .map(|k| start + 1 + k);
        Token {
            tok: Tok::Str(match err {
                Some(e) => Err(e),
                None => Ok(out),
            }),
            span: start..i,
            inner: start + 1..i - 1,
            next: i,
            eol,
        }
    }

    /// Decode the escape sequence whose backslash is at `esc` onto `out`: where it ends, and
    /// what is wrong with it, if anything.
    fn escape(&self, esc: usize, out: &mut String) -> (usize, Option<&'static str>) {
        let i = esc;
        match self.bytes.get(i + 1) {
            None => (i + 1, None),
            Some(&c @ (b'"' | b'\'' | b'\\')) => {
                out.push(c as char);
                (i + 2, None)
            }
            Some(b'n') => {
                out.push('\n');
                (i + 2, None)
            }
            Some(b'r') => {
                out.push('\r');
                (i + 2, None)
            }
            Some(b'x') => {
                let (v, n) = self.hex(i + 2, 2);
                let end = i + 2 + n;
                match v {
                    Some(0) => (end, Some("`\\x00` is not allowed in a string")),
                    // A raw byte; read as Latin-1.
                    Some(v) => {
                        out.push(char::from(v as u8));
                        (end, None)
                    }
                    None => (end, Some("`\\x` needs two hex digits")),
                }
            }
            Some(b'u') => self.unicode_escape(i, out),
            Some(_) => (
                i + 1 + self.char_len(i + 1),
                Some("unknown escape sequence in string"),
            ),
        }
    }

    /// `\uNNNN`, or a surrogate pair `\uD83D\uDE00`, at `esc`.
    fn unicode_escape(&self, esc: usize, out: &mut String) -> (usize, Option<&'static str>) {
        let (v, n) = self.hex(esc + 2, 4);
        let i = esc + 2 + n;
        match v {
            None => (i, Some("`\\u` needs four hex digits")),
            Some(0) => (i, Some("`\\u0000` is not allowed in a string")),
            Some(hi @ 0xd800..=0xdbff) => {
                let lo = if self.bytes.get(i..i + 2) == Some(b"\\u") {
                    self.hex(i + 2, 4)
                        .0
                        .filter(|lo| (0xdc00..=0xdfff).contains(lo))
                } else {
                    None
                };
                match lo {
                    Some(lo) => {
                        let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                        (i + 6, None)
                    }
                    None => (i, Some("high surrogate without a low surrogate")),
                }
            }
            Some(0xdc00..=0xdfff) => (i, Some("low surrogate without a high surrogate")),
            Some(v) => {
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                (i, None)
            }
        }
    }
}
