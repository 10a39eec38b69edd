"""Phrase lexicons and precompiled patterns for the boilerplate kinds.

These describe how page furniture is *worded* on news sites in general
(calls to action, share widgets, photo credits), never the text of any
particular site. Patterns are compiled once at import; each is anchored or
limited to short blocks by the classifier so prose that merely mentions
"subscribe" is not thrown away.
"""

from __future__ import annotations

import re

I = re.IGNORECASE  # noqa: E741 (the flag's own name)

WORD = re.compile(r"\w+")

#: Frequent function words of the languages news pages come in (en, de, fr,
#: es, it, pt, nl). Prose is dense in them; menus, names and headlines are not.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours said says also who whose into its
    aber als am an auch auf aus bei bis das dass dem den der des die doch ein eine einem einen
    einer eines er es für hat hatte ich ihr im in ist mit nach nicht noch nur oder sich sie sind
    so um und uns von vor war was wie wir wird wurde zu zum zur über
    au aux avec ce ces dans de des du elle en est et il ils je la le les leur lui mais me même
    ne nous on ou par pas pour qu que qui sa se ses son sont sur ta te un une vous été être
    al con como del el en era es esta este ha la las lo los más para pero por que se sin son su
    sus un una y ya
    agli ai al alla alle anche che chi ci come con da dal dalla dei del della delle di e gli ha
    ho il in la le lo ma mi ne nei nel nella non per più se si sono su tra un una uno è
    ao aos as com da das do dos ela ele em era está foi isso mais mas na nas no nos não o os
    para pela pelo por que se sem seu sua são um uma
    aan als bij dat de den der die dit door een en er het hij in is je met na naar niet of om
    ook op te tot uit van voor was wat we wel worden zijn
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

#: A photo or video credit closing a caption: "(Chris Mcgrath/Getty Images)",
#: "(photo credit: REUTERS/X)", "(Video: Reuters)", "Kin Cheung/AP Photo".
CREDIT_TAIL = re.compile(
    r"(?:\((?:[^()]*\b(?:photo|photograph|photos|credit|credits|image|images|video|getty|reuters|afp|"
    r"ap|epa|shutterstock|file|courtesy|illustration|pool)\b[^()]*|[^()/]{2,60}/[^()]{2,60})\)"
    r"|(?:/|\b)(?:AP Photo|AFP|Getty Images|Reuters|EPA|Shutterstock|Bloomberg|AP Images)"
    r"(?:/[\w .'-]{1,40})?"
    r"|\bcredits?\b\W{1,4}[\w .'-]{2,40}(?:/[\w .'-]{2,40})?)"
    r"\s*(?:\w+\s?){0,2}$",
    I,
)
#: Besides "(...)", every alternative of CREDIT_TAIL contains one of these.
_CREDIT_NAMES = ("ap photo", "afp", "getty images", "reuters", "epa", "shutterstock", "bloomberg",
                 "ap images", "credit")


def credit_tail(text: str, lower: str) -> bool:
    """True when the block ends in a photo credit (CREDIT_TAIL), tested cheaply first.

    Scanning CREDIT_TAIL over a whole block is slow, and ")" is in many
    blocks: a "(...)" credit can only be the last ")" of the block, followed
    by at most two words, so blocks failing that (and holding no agency name)
    cannot match and are not scanned.
    """
    k = lower.rfind(")")
    if (k < 0 or len(lower[k + 1:].split()) > 2) and not any(n in lower for n in _CREDIT_NAMES):
        return False
    if "\n" in text:  # "$" may then match before a final newline: no shortcut
        return CREDIT_TAIL.search(text) is not None
    # A match ends where at most two words are left, and its credit part is
    # short unless it is the last "(...)" of the block: no match starts
    # earlier than the bound below, so searching from there finds the same
    # (``search(text, pos)`` still sees the character before ``pos`` for \b).
    tail = _TAIL_WORDS_REVERSED.match(text[::-1]).end()
    start = len(text) - tail - _CREDIT_MAX
    paren = text.rfind("(")
    if 0 <= paren < start:
        start = paren
    return CREDIT_TAIL.search(text, max(0, start)) is not None


#: The words a credit may be followed by (CREDIT_TAIL's ``\s*(?:\w+\s?){0,2}$``),
#: read from the end of the reversed block.
_TAIL_WORDS_REVERSED = re.compile(r"(?:\s?\w+){0,2}\s*")
#: Longer than CREDIT_TAIL's longest credit outside parentheses ("credit: " and
#: two 40-character names, 92 characters).
_CREDIT_MAX = 130


#: A whole line that is only a credit: "(photo credit: REUTERS/X)", "Photo: AP".
CREDIT_LINE = re.compile(
    r"^\(?\s*(?:photo(?:graph)?s?|image|picture|video|credit|credits|source|illustration"
    # the same labels in the other languages of the stopword lists
    r"|fotos?|bild|bilder|imagem|imagen|immagine|crédito|credito|crédit photo|фото)"
    r"(?:\s+credit)?\s*:\s*[^.]{1,80}\)?$"
    r"|^(?:\(?[\w .'-]{1,40}/)?(?:AP Photo|AFP|Getty Images|Reuters|EPA|Shutterstock|AP Images)"
    r"(?:/[\w .'-]{1,40})?\)?$",
    I,
)

#: Reporting credits that close an article ("Rauhala reported from Brussels.").
END_CREDIT = re.compile(
    r"(?:contributed (?:to )?(?:this|the) (?:report|story|article)|\breported from\b"
    r"|^\(?(?:additional )?reporting by\b|^\(?(?:writing|editing|edited|compiled) by\b"
    r"|^with (?:the )?(?:contribution|contributions|input) (?:of|from)\b"
    r"|^\(?with (?:agency|agencies|wire) (?:inputs|reports)\)?\.?$"
    r"|^\(?with (?:the )?(?:[\w.]+ )?(?:wires?|wire services|news agencies)\)?\.?$"
    r"|^(?:this (?:story|article|report) (?:was|has been) (?:updated|corrected|produced))"
    r")",
    I,
)

#: Disclosures of affiliate links ("This post may contain affiliate links", "If you buy
#: something through this post, X may get a share of the sale").
AFFILIATE = re.compile(
    r"\b(?:contains?|includes?|uses?) (?:affiliate|referral)\b|\baffiliate disclosure\b"
    r"|\b(?:may|might|could|will) (?:earn|receive|get|make) (?:a |an )?(?:small )?"
    r"(?:commission|share of (?:the )?sales?|affiliate commission)\b"
    r"|\bif you (?:buy|purchase) (?:something|anything)\b.{0,30}\b(?:this|our|these) (?:post|page|site|article|links?)\b",
    I,
)

NEWSLETTER = re.compile(
    r"(?:\bnewsletters?\b|^(?:sign up|subscribe)\b|\bsign up (?:for|to)\b|\bsubscribe (?:to|for|now)\b"
    r"|^stay (?:updated|informed|up to date|in the know)\b|\bin your inbox\b|\binbox\b"
    r"|\benter your e-?mail\b|\byour e-?mail address\b|^get (?:the|our) .{0,40}\b(?:delivered|e-?mail|daily)\b"
    # what a sign-up form says around the box
    r"|\bthanks? (?:you )?for (?:signing up|subscribing)\b|\berror processing your subscription\b"
    r"|\bunsubscribe at any time\b|^no spam\b"
    r"|\bopt-in box\b|\byou(?:'re| are) (?:now )?subscribed\b)",
    I,
)

def _phrases(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split("|"))


#: Interface words: buttons, share bars, players, meters (whole short lines,
#: lower-cased, trailing punctuation removed; looked up in a set).
WIDGET_WORDS = _phrases(
    """close|open|menu|search|share|share this|share this article|share this story|tweet|email|e-mail|
    print|copy link|copy|link copied|save|save article|saved|comment|comments|view comments|
    show comments|leave a comment|post a comment|reply|like|follow|listen|listen to this article|
    play|pause|watch|expand|collapse|enlarge|enlarge image|learn more|see more|show more|load more|
    more|back to top|top|next|previous|prev|skip to content|skip to main content|skip navigation|
    toggle navigation|font size|text size|facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|
    telegram|instagram|youtube|rss|sign in|log in|login|register|my account|subscribe|
    subscribe now|donate|fairness meter|click on meter to rate this article|rate this article|
    loading|please wait|gallery|photo|photos|video|videos|print this page|font|a a|aa|
    share on facebook|share on twitter|share on whatsapp|share on linkedin|share via email|
    open in app|download app|view gallery|view slideshow|view all|see all|read full article|
    back to gallery|addthis sharing buttons|sharing buttons|share buttons|shares|share permalink|
    share this on facebook|share this on twitter|share this on whatsapp|share this on linkedin|
    share this on email|you are signed in as|signed in as"""

)
#: Stripped from both ends of a short line before set look-ups; "_" and "*" are
#: Markdown emphasis and icon placeholders left around a word ("__ Shares").
TRAILING = " \t.:!|»›>-–—…_*"
WIDGET_NUM = re.compile(
    r"^(?:(?:image|photo|picture|slide) \d+ (?:of|/) */? *\d+|\d+ of \d+|\d+ */ *\d+|[\d:]+|\d+ min(?:ute)?s? (?:read|listen)|\d+ (?:photos|images|shares)"
    # reading-time labels, in the languages of the stopword lists
    r"|(?:estimated )?(?:reading time|read time|tempo de leitura|tiempo de lectura|tempo di lettura|"
    r"temps de lecture|lesezeit|leestijd|waktu baca|время чтения)\s*:?\s*(?:about |ca\. ?)?\d+\s*\w*)$"
)
WIDGET_PHRASE = re.compile(
    r"\bvoice is ai-generated\b|\bhold us accountable\b|\bclick (?:on )?(?:the )?\w+ to\b"
    r"|^this (?:article|story) (?:is|was) (?:read|narrated) by"
    r"|\byour browser does not support\b|\bjavascript (?:is )?(?:disabled|required)\b"
    r"|\bthis slideshow requires javascript\b"
    r"|\bshare (?:it|this(?: story| article)?) with (?:a friend|your friends)\b|^like this (?:story|article)\?"
    # WordPress shortcodes a scraper left as text: "[button link=...]", "[caption id=...]"
    r"|^\[/?(?:button|caption|embed|gallery|video|audio|playlist|contact-form(?:-7)?|vc_\w+|et_pb_\w+)\b[^\]]*\]"
    # icon-font ligature names that leak into the text of buttons
    r"|\b(?:chevron|arrow|keyboard_arrow)_(?:left|right|up|down|back|forward)\b",
)
ADVERT_WORDS = _phrases(
    """advertisement|advertisements|advertising|ad|ads|sponsored|sponsored content|paid content|
    paid post|promoted|partner content|story continues below|story continues below advertisement|
    article continues below|article continues below advertisement|article continues after advertisement|
    article continues after this advertisement|article continues after ad|continue reading the main story|
    continue reading below|scroll to continue|scroll to continue with content|report an ad|ad feedback|
    skip ad|skip this ad"""

)


def norm_short(lower: str) -> str:
    """A short lower-cased line without trailing punctuation, for set look-ups."""
    return lower.strip(TRAILING)


#: Links to other stories and "read more" calls.
PROMO_HEADER = re.compile(
    r"^(?:read more|more|related|related (?:articles|stories|content|coverage|news|links|posts|topics)|"
    r"see also|also read|also see|read also|read next|up next|what to read next|recommended|"
    r"recommended (?:for you|stories|articles|reading|videos)|you (?:may|might) also like|popular on\b.{0,30}|"
    r"more (?:from|on|about|stories|news|in|like this)\b.{0,40}|most (?:popular|read|viewed|shared)"
    r"(?: \w+){0,3}|trending(?: now| stories| news)?|top stories|latest(?: news| stories)?|"
    r"editor'?s? picks?|popular(?: now| stories)?|don'?t miss|further reading|in case you missed it|"
    r"more coverage|explore more|keep reading|continue reading|watch more|more videos|"
    r"next up\b.{0,40}|more great\b.{0,40}|"
    r"[^:]{0,40}: what you need to know|what to know|what you need to know)\s*[:.!…»›>-]*$",
    I,
)
#: "Read more: ...", "Video | ..." at the start of a block (matched on the block's text).
PROMO_START = re.compile(
    r"[\[(]?\s*(?:read more|read|see|watch|listen|also read|related|more|read next|see also|recommended|"
    r"opinion|analysis|photos|video)\s*[:|»›>-]\s*\S",
    I,
)
#: Calls to follow, download or read elsewhere (searched in the lower-cased block).
_PROMO_PHRASE = re.compile(
    r"\bfollow (?:us|our)\b|\bgoogle news\b|\bdownload (?:the|our) (?:\w+ )?app\b"
    r"|\bget (?:the|our) (?:\w+ )?app\b|^what to know about\b|^what you need to know\b"
    r"|\bclick here\b|\bread (?:our|the) full coverage\b|\bread the full (?:story|article)\b"
    r"|\bto read the full (?:story|article)\b|\bare you on (?:telegram|whatsapp)\b"
    r"|\bsubscribe to our (?:channel|podcast)\b|^follow [\w.]+(?: [\w.]+)? on\b",
)
#: Every phrase above contains one of these: the regex (slow to scan, since
#: no alternative starts with a fixed letter) runs only when one is present.
_PROMO_LITERALS = ("follow ", "google news", "download ", "get ", "what ", "click here",
                   "read ", "are you on", "subscribe to our")


def promo_phrase(lower: str) -> bool:
    """True when the lower-cased block holds a call to follow, download or read elsewhere."""
    for lit in _PROMO_LITERALS:
        if lit in lower:
            return _PROMO_PHRASE.search(lower) is not None
    return False


BIO_HEADER = re.compile(
    r"^(?:about the (?:author|writer|reporter|authors)|about (?:me|us)|author(?:'s)? bio|"
    r"more (?:from|by) (?:this|the) (?:author|writer)|(?:written|posted) by\s*:?"
    # "about the author" in the other languages of the stopword lists
    r"|sobre (?:o autor|a autora|os autores|el autor|la autora)|acerca del autor|sull['’]autore|"
    r"à propos de l['’]auteur|über (?:den autor|die autorin)|zum autor|zur autorin|"
    r"over de (?:auteur|schrijver)|tentang penulis|об авторе)[\s:.]*$",
    I,
)
#: Topic and category links under an article ("Filed under: Politics | Europe", "Tags: NATO").
FILED = re.compile(r"^[*_]*(?:filed under|posted in|categories|category|tags|tagged(?: with)?|topics|trends"
                   r"|trending(?: now| topics)?)\s*:", I)

#: How to reach the writer: "Have a tip? Jane Doe may be reached at jdoe@example.com".
CONTACT = re.compile(r"\b(?:may|can) be reached (?:at|by|via)\b|^have a (?:news )?tip\?", I)

BIO = re.compile(
    r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3} (?:is|was|has been|covers|writes|reports)\b.{0,80}"
    r"\b(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|producer|"
    r"author|staff writer|freelance|bureau chief|intern|fellow)\b",
)

#: A name with its social handle: "Catherine Shu @catherineshu / 2 days".
HANDLE_BYLINE = re.compile(r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3}\s+@\w{2,}(?:\s*[/|·•-]\s*.{0,30})?$")
#: "By Jane Doe", "By Troy L. Smith, Cleveland.com" (a dot only after an initial or inside a domain).
BYLINE = re.compile(r"^(?:by|von|par|por|di|door)\s+(?=[A-Z])((?:[^.!?]|(?<=\b[A-Z])\.|\.(?=\w)){2,80})$", I)

#: English month names and abbreviations (an alternation, no group).
_MONTH_NAMES = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
#: A month's name or abbreviation, as a whole word.
_MONTH_WORD = r"\b(?:" + _MONTH_NAMES + r")\b\.?"
#: Where a byline's name ends and a dateline or role begins: "Tess Bonn - 11/19/19 06:56 AM",
#: "Umair Irfan Updated Nov 13, 2019", "Joseph Tsidulko November 19, 2019".
_BYLINE_TAIL = re.compile(
    r"\s+[-–—|•·]\s+|,?\s+(?:updated|published|posted|last updated)\b|\s+\d"
    r"|\s+" + _MONTH_WORD + r"\s+\d",
    I,
)
#: A role after the name: "Meg James Staff Writer", "Jane Doe, Senior Correspondent".
_BYLINE_ROLE = re.compile(
    r",?\s+(?:(?:senior|staff|contributing|chief|special)\s+)?"
    r"(?:writer|reporter|contributor|correspondent|editor|columnist)$",
    I,
)


def clean_byline(name: str) -> str | None:
    """The writer's name from a byline line's text after "By": its date, time and role cut off."""
    m = _BYLINE_TAIL.search(name)
    if m:
        name = name[:m.start()]
    name = _BYLINE_ROLE.sub("", name).strip(" ,;:-–—|")
    return name or None


FOOTER = re.compile(
    r"(?:©|\(c\) ?\d{4}|\bcopyright\b|\ball rights reserved\b|\bprivacy (?:policy|notice|settings)\b"
    r"|\bterms (?:of (?:use|service)|and conditions|& conditions)\b|\bcookie(?:s| policy| settings)?\b"
    r"|\bdo not sell\b|\baccessibility statement\b|\bcontact us\b|\bsitemap\b)",
    I,
)
COPYRIGHT_OWNER = re.compile(
    r"(?:©|\bcopyright\b)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"((?:The )?[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,4})"
)

#: "X Logo" (an image's alt text left in the dump).
LOGO = re.compile(r"^((?:The )?[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,4}) logo$", I)
#: "Subscribe to The X Newsletter", "Sign up for the X newsletter".
NEWSLETTER_OUTLET = re.compile(
    r"^(?i:subscribe to|sign up (?:for|to)|get)\s+((?:the |The )?[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,4})"
    r"\s+(?i:newsletters?|daily newsletter)\b",
)
#: A masthead glued to its tagline in a text dump: "The Washington PostDemocracy Dies in Darkness".
MASTHEAD_GLUE = re.compile(r"^((?:The )?[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){0,4}?[a-z])([A-Z][a-z]+\b.*)$")


def masthead_outlet(text: str) -> str | None:
    """The outlet of a masthead glued to its tagline, or None when the line is something else.

    Text dumps glue link texts together, so most "xY" joins are not
    mastheads: brand names (YouTube, WhatsApp, PlayStation 5), menu items
    ("HomeWorld News", "Back To Main MenuClose") and author boxes ("Jane
    DoeView More Articles") or headlines naming a brand ("Local ShopRite
    locations get ..."). A masthead is a name of two or more words and a
    title-case tagline of three or more that reads as a phrase, with a
    lower-case function word: "The Washington Post" + "Democracy Dies in
    Darkness".
    """
    m = MASTHEAD_GLUE.match(text)
    if m is None:
        return None
    name, tagline = m.group(1), m.group(2).split()
    if len(name.split()) < 2 or len(tagline) < 3 or not any(w.islower() for w in tagline):
        return None
    long_words = [w for w in tagline if len(w) >= 4]
    if 2 * sum(w[0].isupper() for w in long_words) < len(long_words):
        return None  # mostly lower-case: a sentence, not a tagline
    return name


#: Words that end the owner's name in a copyright line: "© 2019 X. All rights reserved".
_RIGHTS_WORDS = frozenset(("all", "rights", "reserved", "todos", "tous", "alle", "tutti", "derechos"))
#: Company forms cut off the owner's name: "The New York Times Company" is The New York Times.
_COMPANY_FORMS = frozenset(("inc", "llc", "ltd", "limited", "pty", "private", "corp", "corporation",
                            "company", "co", "gmbh", "ag", "sa", "plc", "srl", "spa", "bv", "nv"))
#: A site's copyright line states a year or reserves rights; a bare "© Reuters" is a photo credit.
_SITE_COPYRIGHT = re.compile(r"\d{4}|rights reserved|direitos|droits|rechte|diritti|derechos", I)


def copyright_owner(text: str) -> str | None:
    """The owner a site's copyright line names, without "All rights reserved" or a company form.

    "© 2019 CNBC LLC. All Rights Reserved." gives "CNBC"; "© Reuters" (a
    photo credit, no year and no reserved rights) gives None.
    """
    m = COPYRIGHT_OWNER.search(text)
    if m is None or not _SITE_COPYRIGHT.search(text):
        return None
    words: list[str] = []
    for word in m.group(1).split():
        if word.lower() in _RIGHTS_WORDS:
            break
        words.append(word)
        if word.endswith("."):
            break  # "News Nation. All ...": the sentence ends with the name
    while words and words[-1].lower().rstrip(".") in _COMPANY_FORMS:
        words.pop()
    name = " ".join(words).rstrip(".")
    return name or None


#: Words no outlet name holds but newsletter calls do: "Get The Latest X Alerts And Newsletters".
_CALL_WORDS = frozenset(("latest", "alerts", "and", "our", "your", "free", "top",
                         "best", "email", "breaking", "updates"))


def newsletter_outlet(text: str) -> str | None:
    """The outlet a newsletter call names ("Subscribe to Sportsnet.ca newsletters"), or None."""
    m = NEWSLETTER_OUTLET.match(text)
    if m is None:
        return None
    name = m.group(1)
    if any(w.lower() in _CALL_WORDS for w in name.split()):
        return None
    return name


MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january", "feb february", "mar march", "apr april", "may", "jun june",
            "jul july", "aug august", "sep sept september", "oct october", "nov november",
            "dec december",
        ]
    )
    for m in names.split()
}
_MONTH = r"(" + _MONTH_NAMES + r")\.?"
DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
DATE_MDY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", I)
DATE_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", I)
#: A line that is only a date/time stamp, possibly labelled.
#: Labels in front of a publication stamp ("Posted on ...", "Last updated: ...").
_STAMP_LABELS = r"published|posted|updated|last updated|first published|modified"
DATE_LINE = re.compile(
    r"^(?:(?:" + _STAMP_LABELS + r"|date|dated)\b[:\s]*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"[\w.,:/ -]{0,12}\d[\w.,:/ +()-]{0,50}$",
    I,
)
#: A date line's label: with it, a line of DATE_LINE's shape is a date line even when
#: its date is not one ``parse_date`` reads ("Posted on Maret 30, 2015 by Admin").
DATED_LABEL = re.compile(r"^(?:" + _STAMP_LABELS + r")\b", I)
#: "date 2023-06-02 President ..." or "Published: June 2, 2023 ..." at the start of a block.
DATE_PREFIX = re.compile(
    r"^((?:date|dated|published|posted|updated)\s*:?\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|"
    + _MONTH + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+" + _MONTH + r"\s+\d{4}))\s+(?=\S)",
    I,
)

#: The start of a comments section: the article is over.
COMMENTS_HEADER = re.compile(
    r"^[\[(]?\s*(?:\d[\d,.]*\s+)?(?:comments?|responses?|replies|reactions)\s*(?:\(\d+\))?\s*[\])]?[\s:.]*$"
    r"|^(?:top rated|most liked|newest|oldest|reader|user|readers'?|join the|show|view(?: all)?|hide|"
    r"load|post a|add a|add your|leave a|write a)\s+(?:comments?|discussion|conversation|reply|response)s?"
    r"\b[\s:.!()\d]*$"
    r"|^(?:leave a reply|what do you think\??|discussion|have your say|comments are closed\.?|"
    r"(?:view|join) the discussion(?: thread)?\.?)(?:\s+cancel reply)?$"
    # the same headers in the other languages of the stopword lists (blog and
    # CMS comment forms: "Lascia un commento", "Deja una respuesta", "12 Kommentare")
    r"|^(?:lascia un commento|lascia una risposta|deja un comentario|deja una respuesta|"
    r"deixe (?:um comentário|uma resposta)|laisser un commentaire|laisser une réponse|"
    r"(?:schreibe|hinterlasse) einen kommentar|kommentar (?:schreiben|hinterlassen)|"
    r"laat een reactie achter|geef een reactie|tinggalkan (?:balasan|komentar)|"
    r"(?:оставить|добавить) комментарий)[\s:.!]*"
    r"(?:(?:cancel reply|annulla risposta|cancelar (?:resposta|respuesta)|annuler la réponse|"
    r"antworten abbrechen|reactie annuleren|batalkan balasan)[\s:.!]*)?$"
    r"|^(?:\d[\d,.]*\s+)?(?:commenti|comentarios|comentários|commentaires|kommentare|reacties|komentar|"
    r"комментари[иейя]в?)\s*(?:\(\d+\))?[\s:.]*$",
    I,
)
#: Timestamps, votes and buttons around each comment.
COMMENT_META = re.compile(
    r"^(?:about |posted )?\d+\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
    r"\s+ago\b.{0,30}$"
    r"|^(?:rating|score|votes?|likes?|points?)\s*:?\s*-?\d+(?:\s+\w+)?$|^-?\d+\s+(?:votes?|likes?|points?)$"
    r"|^(?:reply|report|flag|permalink|upvote|downvote|like|dislike|quote|edit|delete)"
    r"(?:\s*[|·•]\s*\w+)*$",
    I,
)


#: Gates: a pattern is only tried on a block holding one of these lower-case
#: substrings. They are located once per page with str.find, which is far
#: cheaper than running every pattern on every line (see docs/cleaning.md).
GATES: dict[str, tuple[str, ...]] = {
    "comments_header": ("comment", "respons", "repl", "reaction", "discussion", "conversation",
                        "what do you think", "have your say", "coment", "kommentar", "reactie",
                        "komentar", "rispost", "respuest", "respost", "réponse", "balasan",
                        "комментар"),
    "comment_meta": (" ago", "rating", "score", "vote", "like", "point", "reply", "report", "flag",
                     "permalink", "quote", "edit", "delete"),
    "credit_line": ("photo", "image", "picture", "video", "credit", "source", "illustration",
                    "ap images", "afp", "getty", "reuters", "epa", "shutterstock", "foto", "bild",
                    "imagem", "imagen", "immagine", "crédit", "credito", "фото"),
    "credit_tail": (")", "photo", "afp", "getty", "reuters", "epa", "shutterstock", "bloomberg",
                    "ap images", "credit"),
    "widget_phrase": ("voice is ai", "hold us accountable", "click", "read by", "narrated by",
                      "browser does not", "javascript", "share it with", "share this", "like this",
                      "chevron_", "arrow_", "[button", "[caption", "[embed", "[gallery", "[video",
                      "[audio", "[playlist", "[contact-form", "[vc_", "[et_pb_", "[/"),
    "promo_header": ("read", "more", "related", "see", "also", "up next", "recommended", "you may",
                     "you might", "most ", "trending", "top stories", "latest", "editor", "popular",
                     "miss", "further", "coverage", "explore", "keep reading", "continue reading",
                     "videos", "what to know", "what you need to know", "next up"),
    "bio_header": ("about", "author", "written by", "posted by", "more from", "more by", "autor",
                   "auteur", "schrijver", "penulis", "автор"),
    "end_credit": ("contributed", "reported from", "reporting by", "writing by", "editing by",
                   "edited by", "compiled by", "contribution", "input", "agency", "agencies",
                   "wire", "this story", "this article", "this report", "agencies"),
    "newsletter": ("newsletter", "sign up", "subscribe", "inbox", "e-mail", "email", "stay ",
                   "get the", "get our", "signing up", "subscri", "opt-in", "no spam"),
    "promo": ("read", "see", "watch", "listen", "also", "related", "more", "recommended", "opinion",
              "analysis", "photos", "video", "follow us", "follow our", "google news", "download",
              "get the", "get our", "what to know", "what you need to know", "click here", "full coverage",
              "full story", "full article", "are you on", "subscribe to our", "follow "),
    "footer": ("©", "(c)", "copyright", "rights reserved", "privacy", "terms", "cookie",
               "do not sell", "accessibility", "contact us", "sitemap"),
    "handle": (" @",),
    "filed": ("filed under", "posted in", "categor", "tags", "tagged", "topics", "trend"),
    "affiliate": ("affiliate", "referral", "commission", "share of", "if you buy", "if you purchase"),
    "bio": ("reporter", "correspondent", "writer", "editor", "journalist", "columnist",
            "contributor", "producer", "author", "freelance", "bureau chief", "intern", "fellow",
            "be reached", "have a tip", "have a news tip"),
}
GATE_BITS = {name: 1 << i for i, name in enumerate(GATES)}
#: Digits are too frequent to sweep for; short lines are tested directly.
HAS_DIGIT = re.compile(r"[0-9]").search
#: Any decimal digit (what ``\\d`` matches): every date pattern needs one.
ANY_DIGIT = re.compile(r"\d").search
STEM_BITS: dict[str, int] = {}
for _name, _stems in GATES.items():
    for _stem in _stems:
        STEM_BITS[_stem] = STEM_BITS.get(_stem, 0) | GATE_BITS[_name]

#: Dates written in headers ("27/09/2018", "Nov. 19, 2019"): not part of a headline.
ANY_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|" + _MONTH + r"\s+\d{1,2},?\s+\d{4}", I)
#: A call to act, not a headline ("CLICK FOR FULL STATE SWIM RESULTS"). Only a title
#: penalty: inside an article such a line may be its text (a link to results).
CALL_TO_ACT = re.compile(r"^(?:click|tap|subscribe|sign up|log in|sign in)\b", I)
#: A clock time ("20:13", "9:05"): header lines have them, headlines hardly ever.
CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
#: Where two words are glued without a space, as text dumps join link texts: "ProgramsCloud".
GLUED = re.compile(r"[a-z][A-Z]").findall
#: Two sentences in one line ("... a big win. He didn't get it."): not a headline.
TWO_SENTENCES = re.compile(r"[a-z]{3,}[.!?][\"”’]? [A-Z]")
#: A label line ("Tempo de leitura: 1 minuto", "Up next: ...").
LABEL_LINE = re.compile(r"^[^:]{1,30}:\s*(?:\S+\s*){0,3}$")
