//! `declare!`: the one way pg_operations declares SQL objects.
//!
//! One invocation per capability module lists its composite types, functions and aggregate
//! families. From that single declaration the macro generates
//! - every C entry point (raw V1 calling convention, `#[pg_guard]`ed) with a typed, lazy
//!   accessor per SQL argument (an argument is decoded only when the body asks for it, and
//!   always as the Rust type its declared SQL type maps to),
//! - the aggregates' support functions (transition per overload; final, combine, serial and
//!   deserial per state) over the boundary module `crate::pg`,
//! - the SQL: `CREATE TYPE`, `CREATE FUNCTION`, `CREATE AGGREGATE` and one `COMMENT` per
//!   object, emitted through `pgrx::extension_sql!` (so `cargo pgrx schema` writes it into the
//!   install script). Support functions and types live in the internal schema.
//!
//! Grammar (see CONTRIBUTING.md for a worked example):
//! ```text
//! declare! {
//!     type NAME (field sqltype, ...) "comment";
//!     fn NAME (arg sqltype [= default | = NULL], ...) -> RET [strict] [internal] "comment" = |a| body;
//!     fn NAME (...) -> RET [strict] [internal] "comment" sql "SELECT ...";   -- LANGUAGE sql
//!     aggregate NAME -> RET "comment" {
//!         state TAG: RustType [plain | pooled] [sspace N] = |state: Option<&mut RustType>, cx| final body;
//!         (arg sqltype, ...) TAG [internal] ["comment of this overload"] = |slot, a| transition body;
//!     }
//! }
//! ```
//! RET is a SQL type, `T[]`, or `table (col sqltype, ...)` (a set-returning function).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, parenthesized, ExprClosure, Ident, Lit, LitInt, LitStr, Token, Type};

/// The schema of everything an analyst never names.
const INTERNAL: &str = "_pg_operations_internal";

mod kw {
    syn::custom_keyword!(aggregate);
    syn::custom_keyword!(state);
    syn::custom_keyword!(plain);
    syn::custom_keyword!(pooled);
    syn::custom_keyword!(sspace);
    syn::custom_keyword!(strict);
    syn::custom_keyword!(internal);
    syn::custom_keyword!(table);
    syn::custom_keyword!(sql);
    syn::custom_keyword!(alias);
    syn::custom_keyword!(note);
}

/// A SQL type as written in a declaration: a name, optionally an array of it.
#[derive(Clone)]
struct SqlType {
    name: String,
    array: bool,
}

impl Parse for SqlType {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = Ident::parse_any(input)?.to_string();
        let array = if input.peek(syn::token::Bracket) {
            let _content;
            bracketed!(_content in input);
            true
        } else {
            false
        };
        Ok(SqlType { name, array })
    }
}

/// Built-in SQL types the declarations use; anything else is one of our composite types.
const BUILTIN: &[&str] = &[
    "int",
    "bigint",
    "float8",
    "text",
    "bool",
    "timestamptz",
    "interval",
    "jsonb",
    "numeric",
    "bytea",
    "internal",
    "date",
];

impl SqlType {
    fn is_ours(&self) -> bool {
        !BUILTIN.contains(&self.name.as_str())
    }
    /// The type as the install script names it (our types with the internal schema).
    fn sql(&self) -> String {
        let base = if self.is_ours() {
            format!("{INTERNAL}.{}", self.name)
        } else {
            self.name.clone()
        };
        if self.array {
            format!("{base}[]")
        } else {
            base
        }
    }
    /// A part of a C symbol name.
    fn symbol_part(&self) -> String {
        format!("{}{}", self.name, if self.array { "_arr" } else { "" })
    }
    /// The Rust type an argument of this SQL type is read as (before `Option`), and the
    /// boundary accessor that reads it.
    fn rust(&self) -> syn::Result<(TokenStream2, Ident)> {
        let (ty, acc) = match (self.name.as_str(), self.array) {
            ("int", false) => (quote!(i32), "int4"),
            // Days since 2000-01-01, as PostgreSQL stores a date.
            ("date", false) => (quote!(i32), "int4"),
            ("bigint", false) => (quote!(i64), "int8"),
            ("float8", false) => (quote!(f64), "float8"),
            ("bool", false) => (quote!(bool), "boolean"),
            ("text", false) => (quote!(&'fc str), "text"),
            ("timestamptz", false) => (quote!(i64), "timestamp"),
            ("interval", false) => (quote!(::pgrx::datum::Interval), "interval"),
            ("jsonb", false) => (quote!(crate::pg::Varlena<'fc>), "varlena"),
            ("bytea", false) => (quote!(&'fc [u8]), "bytea"),
            ("numeric", false) => (quote!(crate::pg::NumericArg<'fc>), "numeric"),
            ("bool", true) => (quote!(crate::pg::BoolArray), "bool_array"),
            ("int", true) => (quote!(::pgrx::datum::Array<'fc, i32>), "array"),
            ("text", true) => (quote!(::pgrx::datum::Array<'fc, &'fc str>), "array"),
            ("float8", true) => (quote!(::pgrx::datum::Array<'fc, f64>), "array"),
            ("interval", true) => (
                quote!(::pgrx::datum::Array<'fc, ::pgrx::datum::Interval>),
                "array",
            ),
            (_, false) if self.is_ours() => (quote!(crate::pg::Record<'fc>), "record"),
            _ => {
                return Err(syn::Error::new(
                    Span::call_site(),
                    format!("declare!: no argument mapping for SQL type {}", self.sql()),
                ))
            }
        };
        Ok((ty, Ident::new(acc, Span::call_site())))
    }
}

/// `name sqltype [= default]`
struct Arg {
    name: Ident,
    ty: SqlType,
    default: Option<String>,
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = Ident::parse_any(input)?;
        let ty: SqlType = input.parse()?;
        let default = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if !input.peek(syn::LitBool) && input.peek(Ident::peek_any) {
                let id = Ident::parse_any(input)?;
                if id != "NULL" {
                    return Err(syn::Error::new(id.span(), "unsupported default"));
                }
                return Ok(Arg {
                    name,
                    ty,
                    default: Some("NULL".into()),
                });
            }
            let lit: Lit = input.parse()?;
            Some(match lit {
                Lit::Str(s) => format!("'{}'", s.value().replace('\'', "''")),
                Lit::Int(i) => i.base10_digits().to_string(),
                Lit::Float(f) => f.base10_digits().to_string(),
                Lit::Bool(b) => b.value.to_string(),
                other => return Err(syn::Error::new(other.span(), "unsupported default")),
            })
        } else {
            None
        };
        Ok(Arg { name, ty, default })
    }
}

fn parse_args(input: ParseStream) -> syn::Result<Vec<Arg>> {
    let content;
    parenthesized!(content in input);
    Ok(content
        .parse_terminated(Arg::parse, Token![,])?
        .into_iter()
        .collect())
}

/// SQL words that must be quoted as argument or column names: PostgreSQL's reserved and
/// type/function-name keywords.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

fn sql_ident(name: &str) -> String {
    if RESERVED.contains(&name) {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

enum Ret {
    Type(SqlType),
    Table(Vec<Arg>),
}

impl Parse for Ret {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(kw::table) {
            input.parse::<kw::table>()?;
            Ok(Ret::Table(parse_args(input)?))
        } else {
            Ok(Ret::Type(input.parse()?))
        }
    }
}

impl Ret {
    fn sql(&self) -> String {
        match self {
            Ret::Type(t) => t.sql(),
            Ret::Table(cols) => format!(
                "TABLE ({})",
                cols.iter()
                    .map(|c| format!("{} {}", sql_ident(&c.name.to_string()), c.ty.sql()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    fn types(&self) -> Vec<&SqlType> {
        match self {
            Ret::Type(t) => vec![t],
            Ret::Table(cols) => cols.iter().map(|c| &c.ty).collect(),
        }
    }
}

enum Body {
    Rust(Box<ExprClosure>),
    Sql(LitStr),
}

struct TypeDecl {
    name: Ident,
    fields: Vec<Arg>,
    comment: LitStr,
}

struct FnDecl {
    name: Ident,
    args: Vec<Arg>,
    ret: Ret,
    strict: bool,
    internal: bool,
    comment: LitStr,
    body: Body,
}

struct StateDecl {
    tag: Ident,
    ty: Type,
    plain: bool,
    pooled: bool,
    sspace: Option<LitInt>,
    final_fn: ExprClosure,
}

enum OverloadComment {
    Text(LitStr),
    Note(Ident),
}

struct Overload {
    args: Vec<Arg>,
    state: Ident,
    /// Created in the internal schema (an aggregate the analyst never names, e.g. the target
    /// of a plan rewrite).
    internal: bool,
    comment: Option<OverloadComment>,
    transition: ExprClosure,
}

/// Another aggregate over the same state and transitions, with its own final function.
struct AliasDecl {
    name: Ident,
    ret: SqlType,
    comment: LitStr,
    final_fn: ExprClosure,
}

struct AggDecl {
    name: Ident,
    ret: SqlType,
    comment: LitStr,
    /// Comments shared by several overloads (`note TAG "text";`, used as `TAG` in a row).
    notes: Vec<(Ident, LitStr)>,
    states: Vec<StateDecl>,
    overloads: Vec<Overload>,
    aliases: Vec<AliasDecl>,
}

enum Item {
    Type(TypeDecl),
    Fn(FnDecl),
    Agg(AggDecl),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![type]) {
            input.parse::<Token![type]>()?;
            let name = Ident::parse_any(input)?;
            let fields = parse_args(input)?;
            let comment = input.parse()?;
            input.parse::<Token![;]>()?;
            Ok(Item::Type(TypeDecl {
                name,
                fields,
                comment,
            }))
        } else if input.peek(Token![fn]) {
            input.parse::<Token![fn]>()?;
            let name = Ident::parse_any(input)?;
            let args = parse_args(input)?;
            input.parse::<Token![->]>()?;
            let ret = input.parse()?;
            let (mut strict, mut internal) = (false, false);
            loop {
                if input.peek(kw::strict) {
                    input.parse::<kw::strict>()?;
                    strict = true;
                } else if input.peek(kw::internal) {
                    input.parse::<kw::internal>()?;
                    internal = true;
                } else {
                    break;
                }
            }
            let comment = input.parse()?;
            let body = if input.peek(kw::sql) {
                input.parse::<kw::sql>()?;
                Body::Sql(input.parse()?)
            } else {
                input.parse::<Token![=]>()?;
                Body::Rust(Box::new(input.parse()?))
            };
            input.parse::<Token![;]>()?;
            Ok(Item::Fn(FnDecl {
                name,
                args,
                ret,
                strict,
                internal,
                comment,
                body,
            }))
        } else if input.peek(kw::aggregate) {
            input.parse::<kw::aggregate>()?;
            let name = Ident::parse_any(input)?;
            input.parse::<Token![->]>()?;
            let ret = input.parse()?;
            let comment = input.parse()?;
            let content;
            braced!(content in input);
            let mut states = Vec::new();
            let mut overloads = Vec::new();
            let mut aliases = Vec::new();
            let mut notes = Vec::new();
            while !content.is_empty() {
                if content.peek(kw::note) {
                    content.parse::<kw::note>()?;
                    let tag: Ident = content.parse()?;
                    let text: LitStr = content.parse()?;
                    content.parse::<Token![;]>()?;
                    notes.push((tag, text));
                } else if content.peek(kw::alias) {
                    content.parse::<kw::alias>()?;
                    let name = Ident::parse_any(&content)?;
                    content.parse::<Token![->]>()?;
                    let ret = content.parse()?;
                    let comment = content.parse()?;
                    content.parse::<Token![=]>()?;
                    let final_fn = content.parse()?;
                    content.parse::<Token![;]>()?;
                    aliases.push(AliasDecl {
                        name,
                        ret,
                        comment,
                        final_fn,
                    });
                } else if content.peek(kw::state) {
                    content.parse::<kw::state>()?;
                    let tag = content.parse()?;
                    content.parse::<Token![:]>()?;
                    let ty = content.parse()?;
                    let mut plain = false;
                    let mut pooled = false;
                    let mut sspace = None;
                    loop {
                        if content.peek(kw::plain) {
                            content.parse::<kw::plain>()?;
                            plain = true;
                        } else if content.peek(kw::pooled) {
                            content.parse::<kw::pooled>()?;
                            pooled = true;
                        } else if content.peek(kw::sspace) {
                            content.parse::<kw::sspace>()?;
                            sspace = Some(content.parse()?);
                        } else {
                            break;
                        }
                    }
                    content.parse::<Token![=]>()?;
                    let final_fn = content.parse()?;
                    content.parse::<Token![;]>()?;
                    states.push(StateDecl {
                        tag,
                        ty,
                        plain,
                        pooled,
                        sspace,
                        final_fn,
                    });
                } else {
                    let args = parse_args(&content)?;
                    let state = content.parse()?;
                    let internal = content.peek(kw::internal);
                    if internal {
                        content.parse::<kw::internal>()?;
                    }
                    let comment = if content.peek(LitStr) {
                        Some(OverloadComment::Text(content.parse()?))
                    } else if content.peek(Ident) && !content.peek2(Token![=]) {
                        None
                    } else if content.peek(Ident) {
                        Some(OverloadComment::Note(content.parse()?))
                    } else {
                        None
                    };
                    content.parse::<Token![=]>()?;
                    let transition = content.parse()?;
                    content.parse::<Token![;]>()?;
                    overloads.push(Overload {
                        args,
                        state,
                        internal,
                        comment,
                        transition,
                    });
                }
            }
            Ok(Item::Agg(AggDecl {
                name,
                ret,
                comment,
                notes,
                states,
                overloads,
                aliases,
            }))
        } else {
            Err(input.error("declare!: expected `type`, `fn` or `aggregate`"))
        }
    }
}

struct Declaration {
    items: Vec<Item>,
}

impl Parse for Declaration {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(Declaration { items })
    }
}

/// What the SQL of one `declare!` needs from other blocks (our composite types).
#[derive(Default)]
struct Sql {
    text: String,
    requires: Vec<String>,
}

impl Sql {
    fn need(&mut self, t: &SqlType) {
        if t.is_ours() {
            let r = format!("type_{}", t.name);
            if !self.requires.contains(&r) {
                self.requires.push(r);
            }
        }
    }
}

/// The accessor struct of one C function's SQL arguments (`offset` = 1 when argument 0 is
/// an aggregate state) and its name.
fn args_struct(
    symbol: &str,
    args: &[Arg],
    offset: usize,
    strict: bool,
) -> syn::Result<(Ident, TokenStream2)> {
    let name = format_ident!("Args_{}", symbol);
    let mut methods = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let pos = i + offset;
        let (ty, acc) = a.ty.rust()?;
        let m = &a.name;
        // Array readers also check the shape, and name the argument when it is wrong.
        let pos = if acc == "array" || acc == "bool_array" {
            let label = a.name.to_string();
            quote!(#pos, #label)
        } else {
            quote!(#pos)
        };
        let doc = format!(
            "SQL argument `{}` ({}), decoded on each call of this accessor.",
            a.name,
            a.ty.sql()
        );
        if strict {
            methods.push(quote! {
                #[doc = #doc]
                #[inline]
                pub fn #m(&self) -> #ty {
                    // SAFETY: the declaration generated this function's SQL signature, whose
                    // argument #pos has the SQL type this accessor reads; STRICT: never NULL.
                    unsafe { self.call.#acc(#pos) }.expect("STRICT function argument is not NULL")
                }
            });
        } else {
            methods.push(quote! {
                #[doc = #doc]
                #[inline]
                pub fn #m(&self) -> Option<#ty> {
                    // SAFETY: the declaration generated this function's SQL signature, whose
                    // argument #pos has the SQL type this accessor reads.
                    unsafe { self.call.#acc(#pos) }
                }
            });
        }
    }
    let tokens = quote! {
        #[allow(non_camel_case_types, dead_code)]
        #[doc(hidden)]
        pub struct #name<'fc> {
            call: crate::pg::Call<'fc>,
        }
        #[allow(unsafe_code, dead_code, clippy::needless_lifetimes)]
        impl<'fc> #name<'fc> {
            #( #methods )*
            /// The call frame: result rows, per-call-site caches, interrupts.
            #[inline]
            pub fn call(&self) -> &crate::pg::Call<'fc> {
                &self.call
            }
        }
    };
    Ok((name, tokens))
}

/// A raw V1 entry point `symbol` whose body is `body` (tokens using `fcinfo`).
fn entry_point(symbol: &str, body: TokenStream2) -> TokenStream2 {
    let sym = Ident::new(symbol, Span::call_site());
    let finfo = format_ident!("pg_finfo_{}", symbol);
    quote! {
        #[allow(unsafe_code, clippy::missing_safety_doc)]
        #[doc(hidden)]
        #[::pgrx::pg_guard]
        #[no_mangle]
        pub unsafe extern "C-unwind" fn #sym(fcinfo: ::pgrx::pg_sys::FunctionCallInfo) -> ::pgrx::pg_sys::Datum {
            // SAFETY: PostgreSQL calls this through the fmgr with a live call frame for the
            // SQL signature generated beside it.
            let fcinfo = unsafe { crate::pg::Frame::new(fcinfo) };
            #body
        }
        #[allow(unsafe_code)]
        #[doc(hidden)]
        #[no_mangle]
        pub extern "C" fn #finfo() -> &'static ::pgrx::pg_sys::Pg_finfo_record {
            &crate::pg::V1_API
        }
    }
}

fn signature_symbol(prefix: &str, args: &[Arg]) -> String {
    let mut s = format!("pgops_{prefix}");
    for a in args {
        s.push('_');
        s.push_str(&a.ty.symbol_part());
    }
    s
}

fn sql_args(args: &[Arg], with_names: bool) -> String {
    args.iter()
        .map(|a| {
            let mut s = if with_names {
                format!("{} {}", sql_ident(&a.name.to_string()), a.ty.sql())
            } else {
                a.ty.sql()
            };
            if let Some(d) = &a.default {
                s.push_str(&format!(" DEFAULT {d}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn gen_type(t: &TypeDecl, out: &mut TokenStream2) {
    let fields = t
        .fields
        .iter()
        .map(|f| format!("{} {}", sql_ident(&f.name.to_string()), f.ty.sql()))
        .collect::<Vec<_>>()
        .join(", ");
    let q = format!("{INTERNAL}.{}", t.name);
    let sql = format!(
        "CREATE TYPE {q} AS ({fields});\nCOMMENT ON TYPE {q} IS {};\n",
        sql_string(&t.comment.value())
    );
    let name = format!("type_{}", t.name);
    let lit = LitStr::new(&sql, Span::call_site());
    let mut requires = Vec::new();
    for f in &t.fields {
        if f.ty.is_ours() {
            requires.push(LitStr::new(
                &format!("type_{}", f.ty.name),
                Span::call_site(),
            ));
        }
    }
    out.extend(quote! {
        ::pgrx::extension_sql!(#lit, name = #name, requires = ["pg_operations_internal_schema", #( #requires ),*]);
    });
}

fn gen_fn(f: &FnDecl, sql: &mut Sql, out: &mut TokenStream2) -> syn::Result<()> {
    let schema = if f.internal {
        format!("{INTERNAL}.")
    } else {
        String::new()
    };
    let qname = format!("{schema}{}", f.name);
    let strict = if f.strict { " STRICT" } else { "" };
    for a in &f.args {
        sql.need(&a.ty);
    }
    for t in f.ret.types() {
        sql.need(t);
    }
    let setof = matches!(f.ret, Ret::Table(_));
    let rows = if setof { " ROWS 100" } else { "" };
    match &f.body {
        Body::Sql(body) => {
            sql.text.push_str(&format!(
                "CREATE FUNCTION {qname}({}) RETURNS {} LANGUAGE sql IMMUTABLE{strict} PARALLEL SAFE{rows}\nAS $body$\n{}\n$body$;\n",
                sql_args(&f.args, true),
                f.ret.sql(),
                body.value().trim()
            ));
        }
        Body::Rust(closure) => {
            let symbol = signature_symbol(&f.name.to_string(), &f.args);
            let (args_ty, args_tokens) = args_struct(&symbol, &f.args, 0, f.strict)?;
            out.extend(args_tokens);
            let call = if setof {
                quote! { crate::pg::srf::materialize(fcinfo, crate::pg::apply(&a, #closure)) }
            } else {
                quote! { crate::pg::Return::into_result(crate::pg::apply(&a, #closure), fcinfo) }
            };
            out.extend(entry_point(
                &symbol,
                quote! {
                    let a = #args_ty { call: fcinfo.call() };
                    #call
                },
            ));
            sql.text.push_str(&format!(
                "CREATE FUNCTION {qname}({}) RETURNS {} LANGUAGE c IMMUTABLE{strict} PARALLEL SAFE{rows}\nAS 'MODULE_PATHNAME', '{symbol}';\n",
                sql_args(&f.args, true),
                f.ret.sql()
            ));
        }
    }
    let types = f
        .args
        .iter()
        .map(|a| a.ty.sql())
        .collect::<Vec<_>>()
        .join(", ");
    sql.text.push_str(&format!(
        "COMMENT ON FUNCTION {qname}({types}) IS {};\n",
        sql_string(&f.comment.value())
    ));
    Ok(())
}

/// The storage type of a state: `Plain<T>` for `plain` states, `Pooled<T>` for `pooled`
/// ones, `Boxed<T>` otherwise.
fn storage(s: &StateDecl) -> TokenStream2 {
    let ty = &s.ty;
    if s.plain {
        quote!(crate::pg::agg::Plain<#ty>)
    } else if s.pooled {
        quote!(crate::pg::agg::Pooled<#ty>)
    } else {
        quote!(crate::pg::agg::Boxed<#ty>)
    }
}

/// The body of a final function's entry point.
fn final_body(storage: &TokenStream2, final_fn: &ExprClosure) -> TokenStream2 {
    quote! {
        // SAFETY: argument 0 is NULL or a state of this aggregate.
        let r = unsafe { crate::pg::agg::finalize::<#storage, _>(fcinfo, #final_fn) };
        crate::pg::Return::into_result(r, fcinfo)
    }
}

/// The name prefix of a state's support functions: the family, plus the state's tag when
/// the family has several states.
fn state_base(family: &str, s: &StateDecl, single: bool) -> String {
    if single {
        family.to_string()
    } else {
        format!("{family}_{}", s.tag.to_string().to_lowercase())
    }
}

fn gen_agg(g: &AggDecl, sql: &mut Sql, out: &mut TokenStream2) -> syn::Result<()> {
    let family = g.name.to_string();
    // How support-function descriptions name the aggregates they serve.
    let served = std::iter::once(family.clone())
        .chain(g.aliases.iter().map(|a| a.name.to_string()))
        .collect::<Vec<_>>()
        .join(" / ");
    sql.need(&g.ret);
    let ret_sql = g.ret.sql();
    let single = g.states.len() == 1;
    // Support functions of each state: final, combine, serial, deserial.
    for s in &g.states {
        let tag = s.tag.to_string();
        let base = state_base(&family, s, single);
        let storage = storage(s);
        let roles: [(&str, &str, &str, TokenStream2); 4] = [
            ("final", "(internal)", "", final_body(&storage, &s.final_fn)),
            (
                "combine",
                "(internal, internal)",
                "",
                quote! {
                    // SAFETY: both arguments are NULL or states of this aggregate.
                    unsafe { crate::pg::agg::combine::<#storage>(fcinfo, #family) }
                },
            ),
            (
                "serial",
                "(internal)",
                " STRICT",
                quote! {
                    // SAFETY: argument 0 is a state of this aggregate (STRICT).
                    unsafe { crate::pg::agg::serialize::<#storage>(fcinfo, #family) }
                },
            ),
            (
                "deserial",
                "(bytea, internal)",
                " STRICT",
                quote! {
                    // SAFETY: argument 0 is a bytea made by the serial function above.
                    unsafe { crate::pg::agg::deserialize::<#storage>(fcinfo, #family) }
                },
            ),
        ];
        for (role, args, strict, body) in roles {
            let symbol = format!("pgops_{base}_{role}");
            out.extend(entry_point(&symbol, body));
            let rettype = match role {
                "final" => ret_sql.clone(),
                "serial" => "bytea".to_string(),
                _ => "internal".to_string(),
            };
            sql.text.push_str(&format!(
                "CREATE FUNCTION {INTERNAL}.{base}_{role}{args} RETURNS {rettype} LANGUAGE c IMMUTABLE{strict} PARALLEL SAFE\nAS 'MODULE_PATHNAME', '{symbol}';\n\
                 COMMENT ON FUNCTION {INTERNAL}.{base}_{role}{args} IS {};\n",
                sql_string(&format!("Internal: {role} function of the aggregate {served} (state {tag}).")),
            ));
        }
    }
    // Other aggregates over the same state and transitions (single-state families only).
    if !g.aliases.is_empty() && !single {
        return Err(syn::Error::new(
            g.name.span(),
            "declare!: `alias` needs a family with one state",
        ));
    }
    for al in &g.aliases {
        sql.need(&al.ret);
        let symbol = format!("pgops_{}_final", al.name);
        out.extend(entry_point(
            &symbol,
            final_body(&storage(&g.states[0]), &al.final_fn),
        ));
        sql.text.push_str(&format!(
            "CREATE FUNCTION {INTERNAL}.{}_final(internal) RETURNS {} LANGUAGE c IMMUTABLE PARALLEL SAFE\nAS 'MODULE_PATHNAME', '{symbol}';\n\
             COMMENT ON FUNCTION {INTERNAL}.{}_final(internal) IS {};\n",
            al.name,
            al.ret.sql(),
            al.name,
            sql_string(&format!("Internal: final function of the aggregate {}.", al.name)),
        ));
    }
    // One transition function and one aggregate per overload (and per alias).
    for o in &g.overloads {
        let Some(s) = g.states.iter().find(|s| s.tag == o.state) else {
            return Err(syn::Error::new(
                o.state.span(),
                "declare!: unknown state tag",
            ));
        };
        for a in &o.args {
            sql.need(&a.ty);
        }
        let base = state_base(&family, s, single);
        let symbol = signature_symbol(&format!("{family}_transition"), &o.args);
        let (args_ty, args_tokens) = args_struct(&symbol, &o.args, 1, false)?;
        out.extend(args_tokens);
        let storage = storage(s);
        let transition = &o.transition;
        out.extend(entry_point(
            &symbol,
            quote! {
                let a = #args_ty { call: fcinfo.call() };
                // SAFETY: argument 0 is NULL or a state of this aggregate.
                unsafe { crate::pg::agg::transition::<#storage, _, _>(fcinfo, #family, &a, #transition) }
            },
        ));
        let types = o
            .args
            .iter()
            .map(|a| a.ty.sql())
            .collect::<Vec<_>>()
            .join(", ");
        let tname = format!("{INTERNAL}.{family}_transition");
        sql.text.push_str(&format!(
            "CREATE FUNCTION {tname}(internal, {types}) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE\nAS 'MODULE_PATHNAME', '{symbol}';\n\
             COMMENT ON FUNCTION {tname}(internal, {types}) IS {};\n",
            sql_string(&format!("Internal: transition function of the aggregate {served}({types}).")),
        ));
        let sspace = s
            .sspace
            .as_ref()
            .map(|n| format!("    SSPACE = {},\n", n.base10_digits()))
            .unwrap_or_default();
        let own = match &o.comment {
            None => g.comment.value(),
            Some(OverloadComment::Text(t)) => t.value(),
            Some(OverloadComment::Note(tag)) => match g.notes.iter().find(|(t, _)| t == tag) {
                Some((_, text)) => text.value(),
                None => return Err(syn::Error::new(tag.span(), "declare!: unknown note")),
            },
        };
        let agg_name = if o.internal {
            format!("{INTERNAL}.{family}")
        } else {
            family.clone()
        };
        let mut finals = vec![(agg_name, format!("{INTERNAL}.{base}_final"), own)];
        for al in g.aliases.iter().filter(|_| !o.internal) {
            finals.push((
                al.name.to_string(),
                format!("{INTERNAL}.{}_final", al.name),
                al.comment.value(),
            ));
        }
        for (agg, final_name, comment) in finals {
            sql.text.push_str(&format!(
                "CREATE AGGREGATE {agg}({}) (\n    SFUNC = {tname},\n    STYPE = internal,\n{sspace}    FINALFUNC = {final_name},\n    COMBINEFUNC = {INTERNAL}.{base}_combine,\n    SERIALFUNC = {INTERNAL}.{base}_serial,\n    DESERIALFUNC = {INTERNAL}.{base}_deserial,\n    PARALLEL = SAFE\n);\n",
                sql_args(&o.args, true)
            ));
            sql.text.push_str(&format!(
                "COMMENT ON AGGREGATE {agg}({types}) IS {};\n",
                sql_string(&comment)
            ));
        }
    }
    Ok(())
}

/// See the crate documentation.
#[proc_macro]
pub fn declare(input: TokenStream) -> TokenStream {
    let decl = syn::parse_macro_input!(input as Declaration);
    match expand(decl) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(decl: Declaration) -> syn::Result<TokenStream2> {
    let mut out = TokenStream2::new();
    let mut sql = Sql::default();
    let mut block_name = None;
    for item in &decl.items {
        match item {
            Item::Type(t) => gen_type(t, &mut out),
            Item::Fn(f) => {
                block_name.get_or_insert_with(|| f.name.to_string());
                gen_fn(f, &mut sql, &mut out)?
            }
            Item::Agg(g) => {
                block_name.get_or_insert_with(|| g.name.to_string());
                gen_agg(g, &mut sql, &mut out)?
            }
        }
    }
    if let Some(first) = block_name {
        let name = format!("declare_{first}");
        let lit = LitStr::new(&sql.text, Span::call_site());
        let requires = sql
            .requires
            .iter()
            .map(|r| LitStr::new(r, Span::call_site()));
        out.extend(quote! {
            ::pgrx::extension_sql!(#lit, name = #name, requires = ["pg_operations_internal_schema", #( #requires ),*]);
        });
    }
    Ok(out)
}
