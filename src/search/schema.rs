//! The content index's schema and text analysis.
//!
//! One document per variant. Text is analysed by the variant's language: English and German get
//! their snowball stemmers, everything else the plain analyser (split, lower-case, fold accents).
//! Tantivy fixes one analyser per field, so each language has its own text field; a query is
//! parsed against all three, each with its own analyser, and a document fills only the field of
//! its language.

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::Index;

use super::VariantDoc;

/// The analysers a variant's text can go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLanguage {
    English,
    German,
    Other,
}

impl TextLanguage {
    /// `en`, `en-GB`, … are English; `de`, `de-CH`, … German; anything else (or nothing) Other.
    pub fn for_locale(locale: Option<&str>) -> TextLanguage {
        let language = locale
            .unwrap_or("")
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "en" => TextLanguage::English,
            "de" => TextLanguage::German,
            _ => TextLanguage::Other,
        }
    }

    fn tokenizer_name(self) -> &'static str {
        match self {
            TextLanguage::English => "vary_en",
            TextLanguage::German => "vary_de",
            TextLanguage::Other => "vary_plain",
        }
    }

    fn analyzer(self) -> TextAnalyzer {
        // Stemming before folding: the German stemmer knows its umlauts.
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser);
        match self {
            TextLanguage::English => base
                .filter(Stemmer::new(Language::English))
                .filter(AsciiFoldingFilter)
                .build(),
            TextLanguage::German => base
                .filter(Stemmer::new(Language::German))
                .filter(AsciiFoldingFilter)
                .build(),
            TextLanguage::Other => base.filter(AsciiFoldingFilter).build(),
        }
    }

    pub const ALL: [TextLanguage; 3] = [
        TextLanguage::English,
        TextLanguage::German,
        TextLanguage::Other,
    ];
}

/// The fields of the schema, by name.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub variant_id: Field,
    pub entry_id: Field,
    pub entry_key: Field,
    pub brand: Field,
    pub content_type: Field,
    pub status: Field,
    pub locale: Field,
    pub published: Field,
    pub tags: Field,
    pub quality: Field,
    pub version: Field,
    pub text_en: Field,
    pub text_de: Field,
    pub text_plain: Field,
}

impl Fields {
    pub fn text(&self, language: TextLanguage) -> Field {
        match language {
            TextLanguage::English => self.text_en,
            TextLanguage::German => self.text_de,
            TextLanguage::Other => self.text_plain,
        }
    }

    pub fn texts(&self) -> [Field; 3] {
        [self.text_en, self.text_de, self.text_plain]
    }
}

fn text_options(language: TextLanguage) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(language.tokenizer_name())
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default()
        .set_indexing_options(indexing)
        .set_stored()
}

/// The schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        variant_id: b.add_text_field("variant_id", STRING | STORED | FAST),
        entry_id: b.add_text_field("entry_id", STRING | STORED),
        entry_key: b.add_text_field("entry_key", STRING | STORED),
        brand: b.add_text_field("brand", STRING | STORED),
        content_type: b.add_text_field("content_type", STRING | STORED),
        status: b.add_text_field("status", STRING | STORED),
        locale: b.add_text_field("locale", STRING | STORED),
        published: b.add_bool_field("published", INDEXED | STORED),
        tags: b.add_facet_field("tags", FacetOptions::default().set_stored()),
        quality: b.add_f64_field("quality", FAST | STORED),
        version: b.add_u64_field("version", FAST | STORED),
        text_en: b.add_text_field("text_en", text_options(TextLanguage::English)),
        text_de: b.add_text_field("text_de", text_options(TextLanguage::German)),
        text_plain: b.add_text_field("text_plain", text_options(TextLanguage::Other)),
    };
    (b.build(), fields)
}

/// Registers the analysers on an index (needed on every open: tantivy keeps them per instance).
pub fn register_analyzers(index: &Index) {
    for language in TextLanguage::ALL {
        index
            .tokenizers()
            .register(language.tokenizer_name(), language.analyzer());
    }
}

/// The facet a tag is counted under.
pub fn tag_facet(tag: &str) -> Facet {
    Facet::from_path([tag])
}

/// The tantivy document of a variant.
pub fn document(fields: &Fields, doc: &VariantDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(fields.variant_id, &doc.variant_id);
    d.add_text(fields.entry_id, &doc.entry_id);
    d.add_text(fields.entry_key, &doc.entry_key);
    d.add_text(fields.brand, &doc.brand);
    d.add_text(fields.content_type, &doc.content_type);
    d.add_text(fields.status, &doc.status);
    d.add_text(fields.locale, doc.locale.as_deref().unwrap_or(""));
    d.add_bool(fields.published, doc.published);
    for tag in &doc.tags {
        d.add_facet(fields.tags, tag_facet(tag));
    }
    d.add_f64(fields.quality, doc.quality);
    d.add_u64(fields.version, doc.version);
    let text = fields.text(TextLanguage::for_locale(doc.locale.as_deref()));
    d.add_text(text, &doc.name);
    d.add_text(text, &doc.entry_key);
    for value in doc.texts.iter().filter(|t| !t.trim().is_empty()) {
        d.add_text(text, value);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_pick_their_language() {
        assert_eq!(
            TextLanguage::for_locale(Some("en-GB")),
            TextLanguage::English
        );
        assert_eq!(TextLanguage::for_locale(Some("EN")), TextLanguage::English);
        assert_eq!(
            TextLanguage::for_locale(Some("de_CH")),
            TextLanguage::German
        );
        assert_eq!(TextLanguage::for_locale(Some("fr")), TextLanguage::Other);
        assert_eq!(TextLanguage::for_locale(Some("eng")), TextLanguage::Other);
        assert_eq!(TextLanguage::for_locale(None), TextLanguage::Other);
    }

    fn tokens(language: TextLanguage, text: &str) -> Vec<String> {
        let mut analyzer = language.analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn english_and_german_are_stemmed_and_others_only_folded() {
        assert_eq!(
            tokens(TextLanguage::English, "Skiing Boots"),
            ["ski", "boot"]
        );
        assert_eq!(
            tokens(TextLanguage::German, "Häuser"),
            tokens(TextLanguage::German, "Haus")
        );
        assert_eq!(
            tokens(TextLanguage::Other, "Crème Brûlée"),
            ["creme", "brulee"]
        );
    }
}
