//! RICH_TEXT as delivered: Markdown rendered to HTML by `pulldown-cmark`, then sanitised by
//! `ammonia`, so what an editor writes can never run in an app's page: no `<script>`, no event
//! handler attributes, no `javascript:` links, no comments. Raw HTML in the Markdown passes only
//! where the sanitiser's allow-list keeps it (plain formatting tags and safe attributes).

use pulldown_cmark::{html, Options, Parser};

/// The sanitised HTML of `markdown`.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_renders_to_html() {
        let html = to_html("# Powder\n\nFresh **snow** and [maps](https://x.test/m).");
        assert!(html.contains("<h1>Powder</h1>"), "{html}");
        assert!(html.contains("<strong>snow</strong>"), "{html}");
        assert!(html.contains("href=\"https://x.test/m\""), "{html}");
    }

    #[test]
    fn scripts_handlers_javascript_links_and_comments_come_out_inert() {
        let hostile = "Hi <script>alert(1)</script>\n\n\
            <img src=\"x.png\" onerror=\"alert(2)\">\n\n\
            [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">raw</a>\n\n\
            <a href=\" JaVaScRiPt:alert(5)\">spaced</a> <!-- secret --> \
            <div onclick=\"alert(6)\" style=\"x\">d</div> <iframe src=\"https://e.test\"></iframe>\n\n\
            <svg onload=\"alert(7)\"></svg> <form action=\"https://e.test\"><input></form>";
        let html = to_html(hostile).to_lowercase();
        for banned in [
            "<script",
            "alert(1)",
            "onerror",
            "javascript:",
            "onclick",
            "onload",
            "<!--",
            "secret",
            "<iframe",
            "<svg",
            "<form",
            "<input",
            "style=",
        ] {
            assert!(!html.contains(banned), "`{banned}` survived in {html}");
        }
        assert!(html.contains("<img src=\"x.png\""), "{html}");
    }
}
