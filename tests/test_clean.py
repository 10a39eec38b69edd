"""The boilerplate remover: per-kind examples, the seeds gold, offsets, metadata, properties."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import SEEDS, SHARED
from tui.clean import body_text, clean_document
from tui.clean.html import without_site_name
from tui.model import BLOCK_KINDS, BOILERPLATE_KINDS, CONTENT_KINDS

classify = importlib.import_module("tui.clean.classify")  # the module, not the function

GOLD_PATH = SHARED / "bench" / "seeds-gold.json"

BODY = [
    "The finance ministers met in Brussels on Tuesday and agreed on a plan to cut the deficit "
    "over the next three years, officials said after the talks ended late in the evening.",
    "The agreement still has to be approved by the national parliaments, which is expected to "
    "take several months, and some of them have already said that they will ask for changes.",
    "Critics of the plan said that it would hit the poorest households hardest and that the "
    "ministers had not listened to the concerns raised by unions and charities in the spring.",
]


def page(*middle: str, title: str = "Ministers agree deficit plan after long talks") -> str:
    """A small article: title, two body paragraphs, the lines under test, one more paragraph."""
    return "\n\n".join([title, BODY[0], BODY[1], *middle, BODY[2]]) + "\n"


def block_of(result, fragment: str):
    found = [b for b in result.blocks if fragment in b.text]
    assert found, f"no block holds {fragment!r}: {[b.text for b in result.blocks]}"
    return found[0]


def dropped_as(text: str, fragment: str, kind: str, fmt: str = "txt"):
    result = clean_document(text, fmt)
    b = block_of(result, fragment)
    assert (b.keep, b.kind) == (False, kind), (b.kind, b.reason)
    assert b.reason
    for body in BODY:
        assert block_of(result, body[:40]).keep
    return b


# ------------------------------------------------------------ one test per kind
def test_caption_with_photo_credit() -> None:
    caption = ("Finance ministers arrive for the meeting in Brussels on Tuesday. "
               "(John Smith/Getty Images)")
    b = dropped_as(page(caption), "Finance ministers arrive", "caption")
    assert "photo credit" in b.reason


def test_credit_line_and_repeated_caption() -> None:
    text = page("Ministers pose for a photo in Brussels. (photo credit: REUTERS/JANE DOE)",
                "Ministers pose for a photo in Brussels.", "(photo credit: REUTERS/JANE DOE)")
    result = clean_document(text, "txt")
    kinds = [b.kind for b in result.blocks if "Ministers pose" in b.text or "photo credit" in b.text]
    assert kinds == ["caption", "caption", "credit"]
    assert not any(b.keep for b in result.blocks if "photo credit" in b.text)


def test_promo_read_more_and_following_headlines() -> None:
    text = page() + "\nRead more:\n\nBanks warn over new capital rules\n\nMarkets rally as rates fall\n"
    result = clean_document(text, "txt")
    for frag in ("Read more:", "Banks warn", "Markets rally"):
        b = block_of(result, frag)
        assert (b.keep, b.kind) == (False, "promo"), (frag, b.reason)


def test_related_links_run_is_navigation() -> None:
    links = "\n".join(f"* {t}" for t in ["World", "Business", "Markets", "Tech", "Opinion", "Sport"])
    text = "Home\nSections\n" + links + "\n\n" + page()
    result = clean_document(text, "txt")
    for frag in ("Business", "Markets", "Opinion"):
        b = next(b for b in result.blocks if b.text == frag)
        assert not b.keep and b.kind == "navigation", b.reason
    assert result.meta.title == "Ministers agree deficit plan after long talks"


def test_newsletter_box() -> None:
    b = dropped_as(page("Sign up for our Morning Briefing newsletter to get the news in your inbox."),
                   "Morning Briefing", "newsletter")
    assert "newsletter" in b.reason


def test_advert_marker() -> None:
    dropped_as(page("Advertisement"), "Advertisement", "advert")


def test_share_widget() -> None:
    result = clean_document(page("Share", "Tweet", "Copy link"), "txt")
    for frag in ("Share", "Tweet", "Copy link"):
        b = next(b for b in result.blocks if b.text == frag)
        assert not b.keep and b.kind in ("widget", "duplicate"), b.reason


def test_author_bio() -> None:
    text = page() + ("\nAbout the author\n\nJane Doe is a senior economics correspondent based in "
                     "Brussels, covering EU budgets.\n")
    result = clean_document(text, "txt")
    assert block_of(result, "About the author").kind == "bio"
    b = block_of(result, "Jane Doe is")
    assert (b.keep, b.kind) == (False, "bio")


def test_navigation_run_before_the_title() -> None:
    nav = "\n".join(["News", "Politics", "Economy", "Culture", "Sport", "Weather"])
    result = clean_document(nav + "\n\n" + page(), "txt")
    assert all(not b.keep for b in result.blocks if b.text in nav.split("\n"))
    assert result.blocks[6].kind == "title"


def test_masthead_gives_outlet() -> None:
    result = clean_document("The Daily ChronicleAll the News Worth Reading\n\n" + page(), "txt")
    assert result.blocks[0].kind == "masthead" and not result.blocks[0].keep
    assert result.meta.outlet == "The Daily Chronicle"


@pytest.mark.parametrize("line", [
    "HomeWorld News",                                   # menu items glued together
    "YouTube", "WhatsApp", "PlayStation 5",             # brand names in camel case
    "Back To Main MenuClose",
    "Jane DoeView More Articles",                       # an author box
    "Local ShopRite locations get new meal planning program",  # a headline naming a brand
    "Follow VentureBeat on Facebook",                   # a promo the lexicon names
])
def test_glued_lines_that_are_no_masthead_name_no_outlet(line: str) -> None:
    result = clean_document(line + "\n\n" + page(), "txt")
    assert result.meta.outlet is None, result.meta.outlet
    assert block_of(result, line).kind != "masthead"


@pytest.mark.parametrize(("footer", "owner"), [
    ("© 2019 CNBC LLC. All Rights Reserved. A Division of NBCUniversal", "CNBC"),
    ("© 2019 News Nation. All rights reserved.", "News Nation"),
    ("Copyright © 2019 The New York Times Company", "The New York Times"),
    ("© ScienceAlert Pty Ltd. All rights reserved.", "ScienceAlert"),
    ("Copyright © 2010 AUTORACING. Todos os direitos reservados.", "AUTORACING"),
    ("© 2019 POLYGRAPH.info All Rights Reserved.", "POLYGRAPH.info"),
    ("© Reuters", None),  # a photo credit: no year, no reserved rights
])
def test_copyright_owner_without_rights_and_company_form(footer: str, owner: str | None) -> None:
    from tui.clean import lexicon

    assert lexicon.copyright_owner(footer) == owner
    result = clean_document(page() + "\n" + footer + "\n", "txt")
    assert result.meta.outlet == owner


@pytest.mark.parametrize(("line", "outlet"), [
    ("Subscribe to Sportsnet.ca newsletters", "Sportsnet.ca"),
    ("Sign up for The Daily Chronicle newsletter", "The Daily Chronicle"),
    ("Get The Latest IndieWire Alerts And Newsletters Delivered Directly To Your Inbox", None),
])
def test_newsletter_call_names_the_outlet_only_when_it_is_a_name(line: str, outlet: str | None) -> None:
    from tui.clean import lexicon

    assert lexicon.newsletter_outlet(line) == outlet


@pytest.mark.parametrize(("byline", "name"), [
    ("By Tess Bonn - 11/19/19 06:56 AM EST", "Tess Bonn"),
    ("By Umair Irfan Updated Nov 13, 2019, 10:28am EST", "Umair Irfan"),
    ("By Joseph Tsidulko November 19, 2019, 07:47 PM EST", "Joseph Tsidulko"),
    ("By Meg James Staff Writer", "Meg James"),
    ("By Tim Childers - Live Science Contributor 2019-11-19T12:48:14Z Space", "Tim Childers"),
    ("By Troy L. Smith, Cleveland.com", "Troy L. Smith, Cleveland.com"),
    ("By Theresa May", "Theresa May"),
    # a name with its social handle, no "By"
    ("Catherine Shu @catherineshu / 2 days", "Catherine Shu"),
])
def test_byline_name_without_its_dateline_and_role(byline: str, name: str) -> None:
    result = clean_document(page(title="Ministers agree deficit plan after long talks").replace(
        "\n\n", "\n\n" + byline + "\n\n", 1), "txt")
    assert result.meta.byline == name


@pytest.mark.parametrize(("dateline", "date"), [
    ("Chris Davies - Nov 19, 2019, 10:31 pm CST", "2019-11-19"),
    ("Nov 18, 2019 at 9:24 pm ET • 2 min read", "2019-11-18"),
    ("Updated 1:39 am EST, Wednesday, November 20, 2019", "2019-11-20"),
])
def test_dateline_by_the_title_dates_the_article(dateline: str, date: str) -> None:
    text = page().replace("\n\n", "\n\n" + dateline + "\n\n", 1)
    assert clean_document(text, "txt").meta.date == date


def test_headline_reprinted_above_the_text_is_the_title_when_its_first_print_is_far() -> None:
    """Page header, a long gallery, then the headline again right above the text:
    the reprint is the title (the first print is out of the title's reach)."""
    headline = "New SUVs and electric vehicles highlight auto show"
    gallery = [f"Image {k} of 30" for k in range(1, 31)]
    text = "\n\n".join([headline, "Tom Doe, Auto Writer", *gallery, headline, *BODY]) + "\n"
    result = clean_document(text, "txt")
    assert result.meta.title == headline and not result.meta.title_derived
    title = [b for b in result.blocks if b.kind == "title"]
    assert len(title) == 1 and title[0].start == text.rindex(headline)


def test_headlines_listed_under_a_more_on_header_are_no_title() -> None:
    """Teasers a "More On:" header lists right above the text, one printed twice,
    lose the title to the headline further up."""
    headline = "Chinese hunter catches plague after eating rabbit"
    teaser = "Two patients diagnosed with plague in China as officials scramble"
    text = "\n\n".join([headline, "Share", "Enlarge Image", "More On:", "plague", teaser,
                         "Origin of Black Death plague traced to Russia", "see also", teaser,
                         *BODY]) + "\n"
    assert clean_document(text, "txt").meta.title == headline


def test_dateline_above_an_untitled_article_dates_it() -> None:
    """With no headline found, the dateline just above the article text still counts."""
    text = "\n\n".join(["Menu", "New Delhi, News Bureau | Updated : 19 November 2019, 09:01 AM",
                         *BODY]) + "\n"
    result = clean_document(text, "txt")
    assert result.meta.title_derived and result.meta.date == "2019-11-19"


def test_dates_in_the_text_or_a_caption_do_not_date_the_article() -> None:
    caption = "Ministers arrive for talks on Nov. 18, 2019 in Brussels. (AP Photo/Jane Doe)"
    body = "The vote was held on November 19, 2019, after a night of talks in the capital city."
    text = page(caption, body).replace("\n\n", "\n\n" + body + "\n\n", 1)
    result = clean_document(text, "txt")
    assert block_of(result, "Ministers arrive").kind == "caption"
    assert result.meta.date is None


@pytest.mark.parametrize("first", ["Storm closes port", "Headline of UTF16", "Zelensky in Brussels"])
def test_a_short_first_line_right_above_the_text_is_the_title(first: str) -> None:
    """Short lines lose title points because menus are made of them; a file's very
    first line with the article right under it is a headline, not a menu."""
    text = (f"{first}\n\nHeavy winds closed the port of Calais on Monday, officials said, and "
            "ferries were held in harbour until the evening.\n\nThe port reopened on Tuesday.\n")
    r = clean_document(text, "txt")
    assert r.meta.title == first and not r.meta.title_derived
    assert (r.blocks[0].kind, r.blocks[0].keep) == ("title", True)
    # under a menu, the same line is still a menu item
    menu = clean_document("Home\n\nWorld\n\nSport\n\n" + text, "txt")
    assert [b.keep for b in menu.blocks[:3]] == [False, False, False]


def test_duplicate_of_the_title() -> None:
    title = "Ministers agree deficit plan after long talks"
    result = clean_document(title + "\n\n" + page(title=title), "txt")
    kinds = [(b.kind, b.keep) for b in result.blocks if b.text == title]
    assert kinds == [("title", True), ("duplicate", False)]
    assert "title" in result.blocks[1].reason
    assert title not in body_text(result)


def test_heading_kept_and_long_headline_line_dropped() -> None:
    text = page("Why the deal matters", BODY[1].replace("The agreement", "The plan"),
                "Central bank chief says inflation fight is far from over, warns of new risks")
    result = clean_document(text, "txt")
    assert block_of(result, "Why the deal matters").kind == "heading"
    promo = block_of(result, "Central bank chief")
    assert (promo.keep, promo.kind) == (False, "promo")


def test_after_reporting_credit_nothing_is_kept() -> None:
    text = page("Jane Doe reported from Brussels.",
                "Our coverage: Here is everything we have written about the budget in one place.")
    result = clean_document(text, "txt")
    assert block_of(result, "reported from").kind == "credit"
    assert not block_of(result, "Our coverage").keep


def test_hard_wrapped_text_is_joined_into_paragraphs() -> None:
    import textwrap

    text = "Ministers agree deficit plan\n\n" + "\n\n".join(textwrap.fill(p, 60) for p in BODY)
    result = clean_document(text, "txt")
    assert [b.text for b in result.blocks] == ["Ministers agree deficit plan", *BODY]
    assert all(b.keep for b in result.blocks)
    check_relation(text, "txt")


def test_markdown_blocks_and_syntax_stripped() -> None:
    text = ("* [Home](/)\n* [World](/world)\n\n# Ministers agree deficit plan\n\n"
            + "\n\n".join(BODY[:2]) + "\n\n## Why it *matters*\n\n" + BODY[2] + "\n\n"
            + "Share on [Twitter](https://t.co) and [Facebook](https://fb.com)\n")
    result = clean_document(text, "md")
    assert result.meta.title == "Ministers agree deficit plan"
    heading = block_of(result, "Why it")
    assert heading.text == "Why it matters" and heading.keep and heading.source_kind == "heading"
    assert heading.level == 2
    nav = block_of(result, "World")
    assert nav.source_kind == "list_item" and not nav.keep
    assert not block_of(result, "Share on").keep
    assert body_text(result).count("\n\n") == 3
    quoted = clean_document("# T\n\n" + BODY[0] + "\n\n> " + BODY[1] + "\n\n" + BODY[2], "md")
    assert block_of(quoted, BODY[1][:30]).kind == "quote"


# ------------------------------------------------------------ the seeds, line by line
def _gold() -> dict:
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.mark.skipif(not GOLD_PATH.exists(), reason="shared bench data not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_gold_line_by_line(name: str) -> None:
    gold = _gold()[name]
    text = (SEEDS / name).read_text(encoding="utf-8")
    result = clean_document(text, "txt")
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    wrong = []
    for line in gold["lines"]:
        if line["keep"] is None or line["kind"] == "blank":
            continue
        lo = starts[line["line"] - 1]
        hi = lo + len(text[lo:].split("\n", 1)[0])
        over = [b for b in result.blocks if b.start < hi and b.end > lo]
        assert over, f"line {line['line']} has no block"
        kept = any(b.keep for b in over)
        if kept != line["keep"]:
            wrong.append((line["line"], line["kind"], [(b.kind, b.reason) for b in over]))
        if line["kind"] == "title":
            assert [b.kind for b in over] == ["title"]
            assert result.meta.title == line["text"].strip()
    assert not wrong, wrong


@pytest.mark.skipif(not GOLD_PATH.exists(), reason="shared bench data not present")
def test_seed_metadata() -> None:
    gold = _gold()
    metas = {p.name: clean_document(p.read_text(encoding="utf-8"), "txt").meta
             for p in sorted(SEEDS.glob("*.txt"))}
    for name, meta in metas.items():
        expected = gold[name].get("meta", {})
        assert meta.outlet == expected.get("outlet"), name
        assert meta.date == expected.get("date"), name
    derived = metas["004_b10477866fef5ef1.txt"]
    assert derived.title_derived and derived.title
    assert "President" in derived.title and len(derived.title.split()) <= 12
    assert not any(m.title_derived for n, m in metas.items() if not n.startswith("004"))
    r4 = clean_document((SEEDS / "004_b10477866fef5ef1.txt").read_text(encoding="utf-8"), "txt")
    assert body_text(r4).startswith("President")
    assert "2023-06-02" not in body_text(r4)


# ------------------------------------------------------------ offsets and properties
def check_relation(text: str, fmt: str) -> None:
    """The documented relation between a block and working_text[start:end]."""
    result = clean_document(text, fmt)
    wt = result.working_text
    for b in result.blocks:
        assert 0 <= b.start <= b.end <= len(wt)
        assert b.kind in BLOCK_KINDS and b.reason
        assert b.keep == (b.kind in CONTENT_KINDS) or b.kind in BOILERPLATE_KINDS
        src = wt[b.start:b.end]
        if fmt == "txt":  # one line, or the lines of a hard-wrapped paragraph joined by spaces
            assert b.text == " ".join(line.strip() for line in src.split("\n"))
        else:  # md, and html (whose working text is trafilatura's Markdown)
            chars = "".join(b.text.split())
            it = iter(src)
            assert all(c in it for c in chars), (b.text, src)
    if fmt != "html":
        assert wt == text.replace("\x00", "")


def test_md_offsets_relation_on_a_rich_page() -> None:
    text = ("> quoted *line* with `code`\n\n1. first [link](http://x.y) item\n2. second\n\n"
            "Heading\n=======\n\nA paragraph with **bold** and\nsoft break and a \\* star.\n\n"
            "```\nfenced code\n```\n\n- nested\n  - deeper item\n\r\nlast\r\nline  \nhard\n")
    check_relation(text, "md")
    result = clean_document(text, "md")
    texts = [b.text for b in result.blocks]
    assert "A paragraph with bold and soft break and a * star." in texts
    assert "1. first link item" in texts


def test_md_offsets_on_dev_pages() -> None:
    dev = SHARED / "bench" / "extraction-dev"
    if not dev.exists():
        pytest.skip("shared bench data not present")
    for path in sorted(dev.glob("*.md"))[:5]:
        check_relation(path.read_text(encoding="utf-8"), "md")


def test_html_is_extracted_with_metadata() -> None:
    html = ("<html><head><title>Deficit plan agreed</title>"
            "<meta property='og:site_name' content='The Example Times'>"
            "<meta name='author' content='Jane Doe'>"
            "<meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
            "</head><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article>"
            "<h1>Deficit plan agreed</h1>" + "".join(f"<p>{p}</p>" for p in BODY)
            + "<p>Sign up for our Morning Briefing newsletter to get the news in your inbox.</p>"
            "</article><footer>© 2024 The Example Times</footer></body></html>")
    result = clean_document(html, "html")
    assert result.meta.title == "Deficit plan agreed"
    assert result.meta.outlet == "The Example Times"
    assert result.meta.date == "2024-03-05"
    body = body_text(result)
    assert all(p in body for p in BODY)
    assert "newsletter" not in body
    check_relation(html, "html")



@pytest.mark.parametrize(("title", "outlet", "headline"), [
    # the site's name after the headline, as most <title>s put it
    ("Simple Hiking Survival Kit (with Kids) - The Anti-June Cleaver", "The Anti-June Cleaver",
     "Simple Hiking Survival Kit (with Kids)"),
    ("New York State Attorney General reportedly investigating WeWork – TechCrunch", "TechCrunch",
     "New York State Attorney General reportedly investigating WeWork"),
    ("Black Friday per nostalgici - Remember 80/90 - Memorabilia anni 80/90",
     "Remember 80/90 - Memorabilia anni 80/90", "Black Friday per nostalgici"),
    ("'The Medium is the Message': the 7th Amsterdam Light Festival | Inexhibit", "Inexhibit magazine",
     "'The Medium is the Message': the 7th Amsterdam Light Festival"),
    # the whole name in front
    ("LinkNaija | Nigeria's popular news platform: Kate Henshaw Is Looking Stunning",
     "LinkNaija | Nigeria's popular news platform", "Kate Henshaw Is Looking Stunning"),
    ("BBC News - Storm hits the coast", "BBC News", "Storm hits the coast"),
    # sections, other names and one-word leftovers stay
    ("Opinion | Republicans Are Following Trump to Nowhere", "NYTimes",
     "Opinion | Republicans Are Following Trump to Nowhere"),
    ("Analysis - Fed holds rates", "Analysis Weekly", "Analysis - Fed holds rates"),
    ("All-new 2020 Sentra is what we want - Auto News", "AutoIndustriya.com",
     "All-new 2020 Sentra is what we want - Auto News"),
    ("Home - BBC News", "BBC News", "Home - BBC News"),
    ("Storm hits the coast - BBC News", None, "Storm hits the coast - BBC News"),
])
def test_html_titles_lose_the_site_name(title: str, outlet: str | None, headline: str) -> None:
    assert without_site_name(title, outlet) == headline


def test_html_title_in_the_metadata_has_no_site_name() -> None:
    html = ("<html><head><title>Deficit plan agreed | The Example Times</title>"
            "<meta property='og:site_name' content='The Example Times'></head><body><article>"
            "<h1>Deficit plan agreed</h1>" + "".join(f"<p>{p}</p>" for p in BODY)
            + "</article></body></html>")
    result = clean_document(html, "html")
    assert (result.meta.title, result.meta.outlet) == ("Deficit plan agreed", "The Example Times")
    assert [b.kind for b in result.blocks if b.text == "Deficit plan agreed"] == ["title"]


def test_html_underline_tags_do_not_reach_the_text() -> None:
    """trafilatura writes <u> as raw HTML in its Markdown; the reader wants the words."""
    para = BODY[0].replace("a plan", "a <u>five-point</u> plan")
    html = ("<html><head><title>Deficit plan agreed</title></head><body><article>"
            "<h1>Deficit plan agreed</h1>" + "".join(f"<p>{p}</p>" for p in (para, *BODY[1:]))
            + "</article></body></html>")
    result = clean_document(html, "html")
    body = body_text(result)
    assert "a five-point plan" in body and "<u>" not in body and "</u>" not in body
    check_relation(html, "html")

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pieces = st.sampled_from([
    "Advertisement", "Read more:", "# Title", "## Sub", "* item", "- [link](http://a.b)", "> quote",
    "By Jane Doe", "date 2023-06-02 ", "(photo credit: X/Y)", "Share", "\n", "\n\n", "\r\n", "  ",
    "The minister said the plan would work. ", "Subscribe to The X Newsletter", "© 2020 Foo",
    "```", "1. ", "&amp;", "\\", "*", "_", "<b>", "</p>", "<p>", "\x00", "\u00a0", "é", "🎙️",
])
texty = st.one_of(st.text(max_size=600), st.lists(pieces, max_size=60).map("".join))


@FUZZ
@given(text=texty, fmt=st.sampled_from(["txt", "md"]))
@example(text="0.\n0", fmt="md")  # an empty item's number once leaked to the next block
@example(text="1. ![img](x.png)\n\nNext paragraph", fmt="md")
def test_never_raises_never_invents_txt_md(text: str, fmt: str) -> None:
    check_relation(text, fmt)
    result = clean_document(text, fmt)
    assert isinstance(body_text(result), str)
    if result.meta.date:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", result.meta.date)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(texty, st.lists(pieces, max_size=40).map(lambda p: "<html><body><p>" + "</p><p>".join(p))))
def test_never_raises_never_invents_html(text: str) -> None:
    check_relation(text, "html")


# ------------------------------------------------------------ context rules and the learned scorer
def test_comments_after_the_article_are_dropped() -> None:
    comments = ["12 comments", "Top Rated Comments", "jdoe42", "2 days ago at 07:47 am",
                "I think the ministers are right about this, and the unions should accept the deal now.",
                "Rating: 36 Votes", "mark_t", "3 days ago",
                "Nobody asked the people who will actually pay for this plan, as usual in Brussels."]
    result = clean_document(page() + "\n" + "\n\n".join(comments) + "\n", "txt")
    assert block_of(result, "12 comments").kind == "widget"
    for frag in ("I think the ministers", "Nobody asked"):
        assert not block_of(result, frag).keep
    assert all(block_of(result, p[:40]).keep for p in BODY)


def test_page_in_an_uncovered_language_keeps_its_prose() -> None:
    paras = ["Министры финансов встретились во вторник в Брюсселе и договорились о плане сокращения "
             "дефицита бюджета на ближайшие три года, сообщили чиновники после переговоров.",
             "Соглашение ещё должны одобрить национальные парламенты, что, как ожидается, займёт "
             "несколько месяцев, а некоторые из них уже заявили, что потребуют изменений.",
             "Критики плана заявили, что он сильнее всего ударит по беднейшим семьям и что министры "
             "не прислушались к опасениям профсоюзов и благотворительных организаций."]
    nav = "Главная\nНовости\nПолитика\nЭкономика\nСпорт\n\n"
    result = clean_document(nav + "Министры договорились о бюджете\n\n" + "\n\n".join(paras), "txt")
    assert [b.keep for b in result.blocks if b.text in paras] == [True, True, True]
    assert not any(b.keep for b in result.blocks if b.text in nav.split())


def test_title_hint_marks_the_stated_title() -> None:
    text = "Some other line here\n\n" + page(title="Budget deal reached")
    result = clean_document(text, "txt", {"title": "Budget deal reached"})
    assert block_of(result, "Budget deal reached").kind == "title"


def test_learned_scorer_is_loaded_and_leaves_prose_alone() -> None:
    assert classify.MODEL is not None, "tui/clean/weights.json missing or trained for other features"
    assert len(classify.MODEL["weights"]) == len(classify.FEATURES)
    result = clean_document(page("Advertisement", "Share"), "txt")
    assert all(block_of(result, p[:40]).keep for p in BODY)
    assert not any("learned scorer" in b.reason for b in result.blocks if b.text in BODY)


# ------------------------------------------------------------ speed shortcuts give the same result
# The fast paths in tui/clean/segment.py and lexicon.py skip work that cannot
# change the result; these compare each one with the plain way on random input.
mdish = st.lists(st.sampled_from(["# ", "## ", "* ", "- ", "+ ", "1. ", "2) ", "> ", "```", "~~~", "---",
                                  "***", "___", "===", "   ", "    ", "\t", "\n", "\n\n", "word ", "Text",
                                  "_x_", "*y*", "[a](b)", "![i](j)", "&amp;", "!", "\\*", "`c`", "<b>",
                                  "  \n", "3.", "#x", ">q", "-x", "é", "\r\n"]), max_size=80).map("".join)


def _token_key(tokens) -> list[tuple]:
    return [(t.type, t.tag, t.map, t.content, t.markup, t.info, t.level, t.nesting) for t in tokens]


MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@MANY
@given(text=st.one_of(mdish, texty))
@example(text="+ one\n+ two\n\n1) three\n- four\n* * *\n> five\n```\ncode\n```\n# six\n___\n")
def test_block_start_dispatch_gives_markdown_its_tokens(text: str) -> None:
    from tui.clean import segment

    assert _token_key(segment._MD.parse(text)) == _token_key(segment._MD_PLAIN.parse(text))


def test_block_start_dispatch_on_dev_pages() -> None:
    from tui.clean import segment

    dev = SHARED / "bench" / "extraction-dev"
    if not dev.exists():
        pytest.skip("shared dev pages not available")
    for path in sorted(dev.glob("*.md"))[:20]:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _token_key(segment._MD.parse(text)) == _token_key(segment._MD_PLAIN.parse(text)), path.name


@MANY
@given(text=st.lists(st.sampled_from(["a", "Bc", " ", "  ", "\n", "&", "!", "&amp;", "  \n", "\t", "é",
                                      "[", "*", "_", "x_y", "\\", "_a_", "*b*"]), max_size=40).map("".join))
@example(text="_a_ & b!")
def test_inline_fast_paths_agree_with_the_inline_parser(text: str) -> None:
    from tui.clean import segment

    content = text.strip()
    # the '&'/'!'/hard-break shortcut (plain text has its own, older path)
    if segment._INLINE_SYNTAX.search(content):
        assert segment._inline_text(content) == segment._inline_parsed(content)


def _lines_plainly(text: str) -> list[tuple[str, int, int]]:
    """Non-empty stripped lines with offsets, by splitting (what txt_segments must find)."""
    out, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + len(line) - len(line.lstrip())
            out.append((stripped, start, start + len(stripped)))
        pos += len(line) + 1
    return out


@MANY
@given(text=st.one_of(texty, st.text(alphabet=" \t\r\n\x0b\x0c\x1c\x85\xa0\u2028\u3000ab.-*1", max_size=80)))
def test_line_scan_matches_split_and_strip(text: str) -> None:
    from tui.clean import segment

    found = [(m.group(), *m.span()) for m in segment._LINE.finditer(text)]
    assert found == _lines_plainly(text)


@MANY
@given(lines=st.lists(st.tuples(st.sampled_from(["", "* ", "1. ", "  "]), st.integers(1, 130),
                                st.sampled_from(["\n", "\n\n"])), max_size=30))
def test_unwrap_shortcut_agrees_with_the_line_length_percentile(lines) -> None:
    from tui.clean import segment

    text = "".join(f"{bullet}{'word ' * (n // 5)}{'x' * (n % 5)}{end}" for bullet, n, end in lines)
    segs, long_lines = segment._lines(text)
    # long_lines=0 always takes the sorted-percentile path
    assert segment._unwrap(text, segs, long_lines) == segment._unwrap(text, segs, 0)


@MANY
@given(text=st.text(alphabet="ab \n\r", max_size=60))
def test_line_starts_without_regex_agree(text: str) -> None:
    from tui.clean import segment

    expected = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)] + [len(text) + 1]
    assert segment._line_starts(text) == expected


@MANY
@given(lines=st.lists(st.one_of(pieces, st.text(max_size=30), st.sampled_from(
    ["read more", "2 days ago", "© 2020 x", "(ap photo/x)", "sign up for", "click here", "x" * 250])),
    max_size=25))
def test_stem_automaton_flags_like_the_find_sweep(lines) -> None:
    if classify._STEMS is None:
        pytest.skip("pyahocorasick not installed: the find sweep is the only path")
    lowers = [line.lower() for line in lines]
    with_automaton = classify._stem_flags_py(lowers, 200)
    saved, classify._STEMS = classify._STEMS, None
    try:
        assert classify._stem_flags_py(lowers, 200) == with_automaton
    finally:
        classify._STEMS = saved


_CREDIT_PIECES = ["(", ")", "/", " ", "  ", "\t", "AP Photo", "Getty Images", "Reuters", "credit",
                  "Credits", ": ", "photo", "Jane Doe", "x", "é", "_", "a" * 50, "b" * 130, ".", "'",
                  "-", "file", "AFP", "said", "12", "—"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CREDIT_PIECES), max_size=40), st.text(max_size=4))
@example(["A soldier in Kyiv. ", "(", "Chris Mcgrath", "/", "Getty Images", ")"], "")
@example(["b" * 130, " ", "credit", ": ", "Jane Doe", "/", "Reuters", " ", "file"], "")
def test_credit_tail_search_bound_finds_what_the_full_search_finds(parts, extra):
    """credit_tail searches only the end of a block: it must agree with scanning all of it."""
    from tui.clean import lexicon as lx

    text = "".join(parts) + extra
    lower = text.lower()
    k = lower.rfind(")")
    gated = (k >= 0 and len(lower[k + 1:].split()) <= 2) or any(n in lower for n in lx._CREDIT_NAMES)
    assert lx.credit_tail(text, lower) == (gated and lx.CREDIT_TAIL.search(text) is not None)


# ------------------------------------------------------------ the article's run
INTERVIEW = [
    "What made you start cooking for an audience online, after years of cooking only for friends?",
    "I wanted to keep a record of what we ate at home, and my friends kept asking me for the recipes, "
    "so one evening I simply started writing them down and posting them with a photo of the plate.",
    "Which cuisine do you like best, and is there anything that you would never cook at home?",
    "I like almost everything, but I always come back to simple Italian food: pasta with a good sauce, "
    "a salad and bread, which is what my grandmother used to cook for the whole family on Sundays.",
]


def _interview(gap: list[str]) -> str:
    """Two sections of an interview list; the first is longer, so it is the densest run."""
    header = ["Anna Smith", "Pictures:", "personal archive of Anna Smith", "Account: @annasmith"]
    section = "\n\n".join(INTERVIEW)
    first = section + "\n\n" + INTERVIEW[1].replace("friends", "readers")
    second = section.replace("Italian", "Georgian")
    return "\n\n".join(["Ten food bloggers you should follow this winter", *header, first, *gap,
                        second, "Home\nNews\nContact"]) + "\n"


BEN = ["Ben Jones", "Pictures:", "personal archive of Ben Jones", "Account: @benjones"]


def test_article_run_spans_an_interview_header_between_sections() -> None:
    """Four name/picture/account lines split an interview but do not end it."""
    result = clean_document(_interview(BEN), "txt")
    assert block_of(result, "simple Italian food").keep
    assert block_of(result, "simple Georgian food").keep
    assert not block_of(result, "Contact").keep


def test_article_run_never_joined_across_a_footer_or_a_long_gap() -> None:
    """A copyright footer in the gap ends the article; so does a gap of five blocks."""
    for gap in ([BEN[0], "© 2024 Example Media. All rights reserved.", *BEN[2:]], [*BEN, "Follow Ben"]):
        result = clean_document(_interview(gap), "txt")
        assert block_of(result, "simple Italian food").keep, gap
        assert not block_of(result, "simple Georgian food").keep, gap


DEALS = ["Lego Star Wars 75188 Resistance Bomber", "Polistil 960574 electric race track",
         "Blade Runner The Final Cut (4K Ultra HD + Blu-Ray)", "Ghostbusters Collection 1-2 (Steelbook)",
         "Indiana Jones Collection 1-4 (5 Blu-Ray)", "Polaroid 600 Camera, 80s style",
         "Hasbro Gaming Taboo", "Monopoly Travel Edition"]


def _deal_list(intro_end: str, fmt: str) -> str:
    intro = BODY[1][:-1] + intro_end
    if fmt == "md":
        items = "\n".join(f"{n}) {d} http://amzn.to/{n}x" for n, d in enumerate(DEALS, 1))
    else:
        items = "\n".join(f"{n}) {d}\nhttp://amzn.to/{n}x" for n, d in enumerate(DEALS, 1))
    return "\n\n".join(["Ministers agree deficit plan after long talks", BODY[0], intro, items,
                        "Home\nNews\nContact"]) + "\n"


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_list_introduced_by_a_colon_is_article_text(fmt: str) -> None:
    """'...the best deals:' followed by a list: the list is the article, however long."""
    result = clean_document(_deal_list(", and here are the best offers:", fmt), fmt)
    for deal in DEALS:
        b = block_of(result, deal)
        assert (b.keep, b.kind) == (True, "list"), (deal, b.kind, b.reason)
        assert "introduces it" in b.reason
    assert not block_of(result, "Contact").keep


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_list_without_an_introduction_is_still_navigation(fmt: str) -> None:
    result = clean_document(_deal_list(".", fmt), fmt)
    assert not any(block_of(result, deal).keep for deal in DEALS)


@pytest.mark.parametrize("header", ["Lascia un commento", "Deja una respuesta", "2 Comentários",
                                    "Laisser un commentaire", "12 Kommentare", "Tinggalkan Balasan",
                                    "Оставить комментарий", "Laat een reactie achter",
                                    # a comment form's title with its cancel link
                                    "Leave a Reply Cancel reply", "Lascia un commento Annulla risposta",
                                    "Deixe uma resposta Cancelar resposta"])
def test_comments_header_in_other_languages_ends_the_article(header: str) -> None:
    comment = "I think the ministers are right about this, and the unions should accept the deal now."
    result = clean_document(page() + "\n" + "\n\n".join([header, "jdoe42", comment]) + "\n", "txt")
    b = block_of(result, header)
    assert (b.keep, b.kind) == (False, "widget") and "comments" in b.reason, b.reason
    assert not block_of(result, "I think the ministers").keep
    assert all(block_of(result, p[:40]).keep for p in BODY)


@pytest.mark.parametrize("header", ["About the author", "Sobre o autor", "Sobre el autor",
                                    "Über den Autor", "À propos de l'auteur", "Sull'autore",
                                    "Over de auteur", "Об авторе"])
def test_author_bio_header_in_other_languages(header: str) -> None:
    bio = ("Ana Souza is the economics editor of a national daily and has covered European budget talks "
           "in Brussels since 2015.")
    result = clean_document(page() + f"\n{header}\n\n{bio}\n", "txt")
    assert block_of(result, header).kind == "bio"
    assert not block_of(result, "Ana Souza").keep


STANDINGS = ["Pos.  Driver            Points  Wins", "1     Kyle Busch        5040    5",
             "2     Martin Truex Jr.  5035    7", "3     Kevin Harvick     5033    4",
             "4     Denny Hamlin      5027    6", "5     Joey Logano       2380    2",
             "6     Ryan Blaney       2339    1"]
SIDEBAR = ["Click the photo to read every column our writer has published about Formula 1, MotoGP "
           "and the other series he follows for the site.",
           "Click the image above and see how the drivers rank this season before the last race of "
           "the year in Brazil next weekend.",
           "Our podcast is back for its twelfth season, talking about everything that happened on "
           "the track this week and what comes next."]


def test_table_after_the_intro_is_the_article_not_the_sidebar() -> None:
    """Rows of figures are no prose, yet they are the article; the teasers below are not."""
    intro = ("On this page you will always find the up-to-date championship standings after the "
             "last race of the season.")
    nav = "Home\nNews\nCalendar\nDrivers\nTeams\nShop\nForum"
    text = "\n\n".join(["Championship standings", intro, "\n".join(STANDINGS), nav, *SIDEBAR]) + "\n"
    result = clean_document(text, "txt")
    for row in STANDINGS[1:]:
        b = block_of(result, row.split()[1] + " " + row.split()[2])
        assert b.keep and "table row" in b.reason, (row, b.kind, b.reason)
    assert block_of(result, "up-to-date championship").keep
    assert not any(block_of(result, s[:30]).keep for s in SIDEBAR)


def test_table_alone_starts_no_article() -> None:
    """A ticker of figures far from any prose stays out."""
    ticker = "\n".join(["Dow 28,036.22 +31.33 +0.11%", "S&P 500 3,120.18 -0.06 -0.00%",
                        "Nasdaq 8,570.66 +20.73 +0.24%", "Russell 1,594.69 -1.88 -0.12%",
                        "Gold 1,471.90 -0.50 -0.03%", "Oil 57.05 +0.30 +0.53%"])
    text = "\n\n".join([ticker, "Home\nNews\nMarkets\nOpinion\nVideo", page()]) + "\n"
    result = clean_document(text, "txt")
    assert not block_of(result, "Nasdaq").keep
    assert all(block_of(result, p[:40]).keep for p in BODY)


@pytest.mark.parametrize("header", ["Next Up In Science & Health", "More Great WIRED Stories"])
def test_more_promo_headers(header: str) -> None:
    dropped_as(page(header, "Scientists find a clever new way to store solar heat"), header, "promo")


def test_affiliate_words_in_news_prose_are_no_disclosure() -> None:
    for line in ("The European Commission said on Tuesday that it would fine the company again.",
                 "If you buy a product from a scam website, report it to the police at once."):
        assert block_of(clean_document(page(line), "txt"), line[:30]).keep


def test_lead_without_its_full_stop_is_not_taken_for_the_headline() -> None:
    """A 27-word lead missing its final period loses to the real headline two lines up."""
    lead = ("Chelsea have this morning paid the £71.6million fee to the Spanish league this morning to "
            "secure the world record signing of Athletic Bilbao keeper Kepa Arrizabalaga")
    text = "\n\n".join(["BREAKING NEWS: Chelsea Activate £71.6m Release Clause To Sign Kepa Arrizabalaga",
                        "LinkNaija August 08, 2018", lead, BODY[0], BODY[1]]) + "\n"
    result = clean_document(text, "txt")
    assert result.meta.title.startswith("BREAKING NEWS: Chelsea")
    assert block_of(result, "Chelsea have this morning").keep
    assert "Chelsea have this morning" in body_text(result)


#: Page furniture worded the same on many sites, with the kind it is dropped as.
FURNITURE_LINES = [
    # reading-time labels
    ("Reading time: 4 min", "widget"),
    ("5 min read", "widget"),
    ("Tempo de leitura: 2 minutos", "widget"),
    ("Lesezeit: 3 Minuten", "widget"),
    ("Temps de lecture : 4 min", "widget"),
    ("Tiempo de lectura: 5 minutos", "widget"),
    ("Время чтения: 3 минуты", "widget"),
    # affiliate, sign-up and gallery furniture
    ("This post may contain affiliate and/or referral links. Please see my disclosure page.", "advert"),
    ("If you buy something through this post, we may get a share of the sale.", "advert"),
    ("When you purchase through links on our site, we may earn an affiliate commission.", "advert"),
    ("Thanks for signing up!", "newsletter"),
    ("Please check the opt-in box to acknowledge that you would like to subscribe.", "newsletter"),
    ("There was an error processing your subscription.", "newsletter"),
    ("AddThis Sharing Buttons", "widget"),
    ("1 / 23", "widget"),
    # contact, share, icon, follow and credit lines
    ("Have a tip? Jane Doe may be reached at jdoe@example.com. Follow her on Twitter.", "bio"),
    ("Like this story? Share it with a friend!", "widget"),
    ("chevron_left Browse All Posts", "widget"),
    ("Follow RT on", "promo"),
    ("Popular on IndieWire", "promo"),
    ("Most Read Most Shared", "promo"),
    ("No spam, we promise. You can unsubscribe at any time.", "newsletter"),
    ("Foto: Reuters", "credit"),
    ("Фото: личный архив автора", "credit"),
    ("By Amy Kuperinsky | NJ Advance Media for NJ.com", "byline"),
    ("By Troy L. Smith, Cleveland.com", "byline"),  # initials and a domain
    # bracketed promos, shortcodes, tag lines
    ("[Related: Ministers to meet again in March on the budget]", "promo"),
    ('[button link="http://example.com/submit/" type="big"] Send us your review', "widget"),
    ("Filed under: Politics | Europe", "navigation"),
    ("Tags: NATO, Ukraine", "navigation"),
    ("Trending: Evo Morales news", "navigation"),
    ("**Trends:**Evo Morales news", "navigation"),  # Markdown bold the dump kept as text
    # handle bylines and buttons wrapped in Markdown emphasis
    ("Catherine Shu @catherineshu / 2 days", "byline"),
    ("__ Shares", "widget"),
    ("Back to Top __", "widget"),
    # share and account buttons, gallery counters, labelled date lines in other languages
    ("Share this on WhatsApp", "widget"),
    ("Share permalink", "widget"),
    ("You are signed in as", "widget"),
    ("Image 1 of / 23", "widget"),
    ("Posted on Maret 30, 2015 by Admin", "meta"),
]


@pytest.mark.parametrize(("header", "headline"), [
    ("Sexta-feira, 22 de outubro de 2010 às 20:13", "NASCAR standings after the race"),  # a time
    ("Cloud Partner ProgramsCloud SecurityCloud StorageEdge Computing", "Tim Cook on Apple"),
    ("CLICK FOR FULL STATE SWIM RESULTS", "Salina diver wins title"),  # a call to act
])
def test_header_lines_lose_the_title_to_the_headline(header: str, headline: str) -> None:
    """A line between the headline and the text, longer than the headline (so nearer
    and wordier: it would win on shape alone), loses when it holds a clock time,
    glued link texts or a call to act."""
    text = "\n\n".join([headline, header, *BODY]) + "\n"
    assert clean_document(text, "txt").meta.title == headline


@pytest.mark.parametrize(("line", "kind"), FURNITURE_LINES)
def test_furniture_line_is_dropped_with_its_reason(line: str, kind: str) -> None:
    """Each line is recognised for what it is (not by the generic short-line rule)."""
    b = dropped_as(page(line), line.strip("_ "), kind)
    assert b.reason != "short line that is not a sentence"


@pytest.mark.parametrize(("lead", "title"), [
    ("South Dakota Gov. Kristi Noem is defending the campaign on Monday. It said more.",
     "South Dakota Gov. Kristi Noem is defending the campaign on Monday"),
    ("J. K. Rowling wrote another book this year. Then more.", "J. K. Rowling wrote another book this year"),
    ("Is it over? Officials said yes.", "Is it over?"),
])
def test_a_derived_title_ends_at_a_sentence_not_at_an_abbreviation(lead: str, title: str) -> None:
    """With no headline on the page, the title is the lead's first sentence."""
    assert classify._derive_title(lead) == title


@pytest.mark.parametrize(("shown", "tidy"), [
    ("found inspiration for their work** Starry Night** in Van Gogh", "found inspiration for their work Starry Night in Van Gogh"),
    ("a growing population throughout the country**** and more people", "a growing population throughout the country and more people"),
    ("1) Lego Star Wars **http://amzn.to/2iJFhRj", "1) Lego Star Wars http://amzn.to/2iJFhRj"),
    ("__Email", "Email"),
    ("Home __Holidays __ Homemade Spiced Honey Pear Jam", "Home Holidays Homemade Spiced Honey Pear Jam"),
    # text: inside a word, a masked name, a line of markers, no markers at all
    ("what the f**k", "what the f**k"),
    ("Hello, ****!", "Hello, ****!"),
    ("****", "****"),
    ("snake_case and 2 * 3", "snake_case and 2 * 3"),
])
def test_stray_emphasis_markers_are_taken_off_markdown_text(shown: str, tidy: str) -> None:
    from tui.clean.segment import without_stray_emphasis

    assert without_stray_emphasis(shown) == tidy


def test_markdown_blocks_are_shown_without_stray_markers_and_decided_as_parsed() -> None:
    para = "Ivana Jelić found inspiration for their work** Starry Night** in a painting of the same name."
    text = page(para, "__Email", "__ Twitter").replace(BODY[0], BODY[0] + " The country**** and more.")
    result = clean_document(text, "md")
    body = body_text(result)
    assert "their work Starry Night in a painting" in body and "**" not in body
    assert [b.text for b in result.blocks if not b.keep][-2:] == ["Email", "Twitter"]
    check_relation(text, "md")


def test_a_headline_printed_under_its_breadcrumb_is_the_title_and_the_dateline_above_the_text_dates_it() -> None:
    """Page dumps end the breadcrumb with the headline ("* Home * Business * <headline>"),
    print it again as the page's heading, then a share bar; the dateline sits just
    above the text, out of reach of the title."""
    headline = "Beijing tariff demands may expand US-China trade deal"
    lines = ["Home", "World", "Business", "Sport", "Opinion", "* Home", "* Business", f"* {headline}",
             headline, *["*"] * 4, "X Share via", "+", "+", "+", "+", "Share permalink",
             "Reuters, Washington,", "Nov 20 2019, 11:06am ist", *BODY]
    result = clean_document("\n".join(lines) + "\n", "txt")
    assert (result.meta.title, result.meta.title_derived) == (headline, False)
    assert result.meta.date == "2019-11-20"
    assert [b.kind for b in result.blocks if b.text == headline] == ["navigation", "title"]


def test_a_question_headline_printed_twice_is_the_title() -> None:
    """A question is sentence-like, but page title and heading print a headline twice in a row."""
    headline = "Fact Check: Is An Oxygen Bar In Delhi Offering Fresh Air For Rs 300?"
    lines = ["Home", "Fact Check", "Offbeat", f"* {headline}", headline, *["*"] * 5, *BODY]
    result = clean_document("\n".join(lines) + "\n", "txt")
    assert (result.meta.title, result.meta.title_derived) == (headline, False)


@pytest.mark.parametrize("text", [
    "Oslo flooded\n\nHeavy rain hit Oslo on Monday, flooding streets.\n",
    "Storm closes port\n\nGales shut Rotterdam port Tuesday. Ships wait offshore.\n\n"
    "Officials expect reopening Thursday, port authority spokesman Jan de Vries said.\n",
])
def test_a_short_note_in_news_style_is_not_cleaned_to_nothing(text: str) -> None:
    """Headline-style sentences with few function words did not pass as prose, and a
    note of one or two of them came out empty, title and all (QA)."""
    result = clean_document(text, "txt")
    kept = [b.text for b in result.blocks if b.keep]
    assert kept == [p for p in text.strip().split("\n\n")]
    assert result.meta.title == text.split("\n", 1)[0]


def test_a_menu_alone_is_still_no_article() -> None:
    result = clean_document("Home\nNews\nSport\nWeather\nContact us\n", "txt")
    assert not any(b.keep for b in result.blocks)
