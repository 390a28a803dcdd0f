"""Youth and consent signalled in words rather than by a listed term: rules with reasons.

Each rule reads the folded text (normalise.fold: case, accents and look-alikes folded) and
names what it found:
- a school year or grade below adulthood in the notations of English-speaking countries
  ("year 9", "yr 10", "8th grade", "a ninth-grader", "S3", "P6", "a high school sophomore",
  "in middle school", "doing her GCSEs"), unless the sentence is about teaching, coaching or
  examining, a music or other graded exam ("grade 8 piano"), or an adult looking back ("I was in
  year 9 back in 1994");
- an age under 18 stated in a common European language ("j'ai 15 ans", "ich bin 16 Jahre alt",
  "tengo 13 años", "ho 15 anni", "ik ben 15 jaar", "mam 16 lat", "tenho 15 anos", "jag är 14
  år"), but not a time ago or a duration ("il y a 15 ans", "vor 14 Jahren", "hace 15 años",
  "15 anni fa", "15 jaar geleden", "15 lat temu", "há 15 anos", "i 15 år") nor the age of a
  wine or a cheese;
- adulthood denied or hedged ("not 18 yet", "almost eighteen", "still a minor", "nearly legal",
  "turns 18 next spring", "a few months short of eighteen", "17 and a half"), but not the
  reverse ("not 18 anymore", "over 18s only") nor an amount ("under 18 minutes", "almost 18
  years of experience", "the under-18s team", "a minor chord");
- consent refused or absent in plain words ("against her will", "without her consent", "she
  can't say no", "took advantage of her while she slept"); the abbreviations and euphemisms
  ("dubcon", "noncon", "cnc") are listed terms, so every spacing, hyphen and look-alike
  spelling of them is caught by the term matcher, and "CNC machining" is innocent.
"""

import re
from collections.abc import Iterator

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
              "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18}
_NUM = r"(?P<n>\d{1,2}|" + "|".join(sorted(_CARDINALS, key=len, reverse=True)) + r")"
_ORD = r"(?P<n>\d{1,2}(?:st|nd|rd|th)?|" + "|".join(_ORDINALS) + r")"

# A sentence about teaching, coaching or examining young people, or an adult looking back.
_ADULT_CONTEXT = re.compile(
    r"\b(?:teach\w*|taught|tutor\w*|coach\w*|head\s+of|mark(?:ed|ing|er)?|examin\w*|"
    r"invigilat\w*|parents'?\s+evening|librarian|nurse|governor|lecturer|officer|headteacher|"
    r"principal|(?<!sixth\s)(?<!sixth-)(?<!sixth)former|retired|reunion|sweetheart|results\s+day|admissions|judge|"
    r"as\s+(?:the|their|a)\s+teacher|for\s+my\s+(?:students|son|daughter|kids))\b|"
    r"\b(?:was|were)\b[^.!?]*\b(?:back\s+in|in)\s+(?:19|20)\d\d\b|"
    r"\bback\s+in\s+(?:19|20)\d\d\b|\bat\s+(?:[2-9]\d)\b|\baged?\s+(?:1[89]|[2-9]\d)\b|"
    r"\b(?:1[89]|[2-9]\d)\s*(?:years?\s+old)?\s*$|,\s*(?:1[89]|[2-9]\d)\b|"
    r"\b(?:twenty|thirty|forty|fifty|sixty)[\w-]*\b")
# What a "grade" measures when it is not a school year.
_NOT_A_SCHOOL_GRADE = re.compile(
    r"\s*(?:piano|violin|viola|cello|guitar|flute|clarinet|oboe|trumpet|drums?|singing|voice|"
    r"theory|music|ballet|dance|tap|exam|climbing|route|boulder|steel|earthquake|listed|"
    r"beef|coffee|brew|of\s+the|mathematics\s+paper|paper)\b")
_SCHOOL_YEAR = [
    # year 9, yr 10, year eleven, y9 pupil (UK, Australia, New Zealand: years 1 to 13)
    re.compile(r"\b(?:year|yr)[\s-]*" + _NUM + r"\b(?!\s*(?:-|\s)?(?:year|yr|old|plan|anniversary|"
               r"bug|project|of\s+(?:the|my|our)|bus|route|\d))"),
    re.compile(r"\by(?P<n>[1-9]|1[0-3])\s+(?:pupil|student|girl|boy|kid)\b"),
    # 8th grade, eighth-grade, grade 8, a ninth-grader, grade ten
    re.compile(r"\b" + _ORD + r"[\s-]*grad(?:e|er|ers)\b"),
    re.compile(r"\bgrade\s*" + _NUM + r"\b"),
    # Scotland: S1 to S6 and P1 to P7 pupils
    re.compile(r"\b(?:in\s+|an?\s+)(?P<n>[sp][1-7])\b(?=\s+(?:pupil|at|studying|class|girl|"
               r"boy)|\s*$|[,.])"),
    re.compile(r"\b(?P<n>[sp][1-7])\s+(?:pupil|student|girl|boy)s?\b"),
]
_SCHOOL_LEVEL = re.compile(
    r"\bhigh[\s-]*school\s+(?:freshman|sophomore|junior|senior|student|pupil|girl|boy|kid)\b|"
    r"\b(?:freshman|sophomore|junior|senior|first\s+year)\s+(?:in|of|at)\s+(?:[\w']+\s+){0,3}?"
    r"high[\s-]*school\b|"
    r"\b(?:goes\s+to|at|in|just\s+finished|starting|started)\s+(?:high|middle|junior\s+high|"
    r"elementary|primary|secondary)[\s-]*school\b|"
    r"\b(?:middle|junior\s+high|elementary|primary|secondary)[\s-]*school\s+(?:student|pupil|"
    r"girl|boy|kid)\b|\ba\s+primary[\s-]*school\s+(?:girl|boy)\b|\bjunior\s+high\s+(?:kid|"
    r"student|girl|boy)\b|\bin\s+junior\s+high\b|"
    r"\b(?:doing|revising\s+for|sitting|taking)\s+(?:her|his|their|my)\s+gcses?\b|"
    r"\bgcses?\s+(?:student|pupil|mocks?|exams?|year|coursework)\b|"
    r"\b(?:her|his|their|my|your)\s+i?gcses?\b|"
    r"\b(?:in\s+)?sixth[\s-]*form\s+(?:student|pupil|at\s+(?:1[67]|sixteen|seventeen))\b|"
    r"\bin\s+sixth[\s-]*form\s+at\b|\bhomeroom\b|\bfirst\s+year\s+of\s+secondary\s+school\b|"
    r"\bkindergart(?:en|ner|ener)s?\b|"
    r"\b(?:last|final|first|second)\s+year\s+(?:of|at)\s+(?:primary|middle|junior\s+high|"
    r"elementary|secondary|high)[\s-]*school\b|"
    r"\b(?:6th|sixth)[\s-]*form(?:er)?\s+(?:student|pupil|girl|boy)\b|\bsixth[\s-]*former\b")


def _number(token: str) -> int:
    token = token.rstrip("stndrh") if token[:1].isdigit() else token
    if token.isdigit():
        return int(token)
    return _ORDINALS.get(token) or _CARDINALS.get(token, 99)


def school_year(folded: str) -> str | None:
    for sentence in re.split(r"(?<=[.!?;])\s+", folded):
        found = _school_year_in(sentence)
        if found and not _ADULT_CONTEXT.search(sentence):
            return found
    return None


def _school_year_in(sentence: str) -> str | None:
    for number, pattern in enumerate(_SCHOOL_YEAR):
        for match in pattern.finditer(sentence):
            token = match.group("n")
            if token[0] in "sp" and token[1:].isdigit():
                return match.group(0).strip()
            grade = _number(token)
            if number in (2, 3) and _NOT_A_SCHOOL_GRADE.match(sentence, match.end()):
                continue
            if number in (2, 3) and grade <= 12 or number not in (2, 3) and 1 <= grade <= 13:
                return match.group(0).strip()
    level = _SCHOOL_LEVEL.search(sentence)
    return level.group(0).strip() if level else None


# -- stated ages abroad -----------------------------------------------------------------------

_OBJECTS = (r"whisky|whiskey|vino|vin|wein|wine|fromage|kaas|queso|formaggio|cheese|aceto|"
            r"balsamico|cognac|rhum|porto")
_ABROAD = [
    # French: j'ai 15 ans, elle a 14 ans, une fille de 16 ans
    re.compile(r"(?<!\by\s)(?<!\by\sa\s)\b(?:j'ai|j\s?ai|a|as|ont|de|age\s+de|agee?\s+de)\s+"
               + _NUM + r"\s+ans\b(?!\s*(?:de\b|d'|d\s))"),
    # German: ich bin 16 (jahre alt), ein 14-jahriges madchen, sie ist 15 (jahre)
    re.compile(r"\b(?:ich\s+bin|sie\s+ist|er\s+ist|du\s+bist|charakter\s+ist)\s+" + _NUM +
               r"(?:\s+jahre?)?(?:\s+alt)?\b(?![.\d])(?!\s*(?:uhr|grad|euro|prozent|%|kilo|km|"
               r"meter|minuten|stunden|cm|kg)\b)"),
    re.compile(r"\b" + _NUM + r"[\s-]*jahrige[snrm]?\b"),
    re.compile(r"\b" + _NUM + r"\s+jahre\s+alt\b"),
    # Spanish, Portuguese: tengo 13 anos, una chica de 16 anos, tenho 15 anos
    re.compile(r"\b(?:tengo|tiene|tienes|tenia|tenho|tem|tens|de)\s+" + _NUM + r"\s+anos\b"),
    # Italian: ho 15 anni, una ragazza di 14 anni, lei ha 15 anni
    re.compile(r"\b(?:ho|ha|hai|hanno|di)\s+" + _NUM + r"\s+anni\b(?!\s+fa\b)"),
    # Dutch: ik ben 15 jaar (oud), een meisje van 15 jaar, zij is 16 jaar
    re.compile(r"\b(?:ben|is|bent|zijn|van)\s+" + _NUM + r"\s+jaar\b(?!\s+geleden\b)"),
    # Polish: mam 16 lat, ona ma 16 lat
    re.compile(r"\b(?:mam|ma|masz|maja)\s+" + _NUM + r"\s+lat\b(?!\s+temu\b)"),
    # Swedish, Danish, Norwegian: jag ar 14 ar, jeg er 16 ar gammel, hun er 16 ar
    re.compile(r"\b(?:ar|er)\s+" + _NUM + r"\s+ar\b(?!\s+(?:sedan|siden)\b)"),
]
def stated_age_abroad(folded: str) -> str | None:
    """Each pattern needs a verb or a preposition of being ("j'ai", "bin", "tengo", "van"), so
    a time ago or a duration ("il y a", "vor", "hace", "fa", "geleden", "temu", "sedan") never
    reads as an age."""
    for pattern in _ABROAD:
        for match in pattern.finditer(folded):
            if _number(match.group("n")) >= 18:
                continue
            if re.match(r"\s*(?:" + _OBJECTS + r")\b", folded[match.end():]) or \
                    re.search(r"\b(?:" + _OBJECTS + r")\s+(?:de|van|di)\s+$",
                              folded[:match.start("n")]):
                continue
            return match.group(0).strip()
    return None


# -- adulthood denied or hedged ---------------------------------------------------------------

_EIGHTEEN = r"(?:18|eighteen)"
_AMOUNT_AFTER = (r"(?!\s*(?:\+|s\b|-?s\b|or\s+(?:over|older)|and\s+over|years?\s+(?:of|in)|"
                 r"months?|weeks?\s+old|minutes?|mins?|hours?|kilos?|kg|pounds?|lbs?|stone|"
                 r"miles?|km|holes?|percent|%|degrees?|euros?|dollars?|quid|points?|years?\s+"
                 r"(?:old\s+)?(?:whisky|wine)|years?\b(?!\s+old\b)|any\s*more|anymore))")
_DENIED = re.compile(
    r"\bnot\s+(?:yet\s+)?(?:quite\s+)?" + _EIGHTEEN + r"\b" + _AMOUNT_AFTER + r"|"
    r"\b(?:almost|nearly|just\s+under|under|below|not\s+yet|isn'?t|is\s+not|won'?t\s+be|"
    r"not\s+quite)\s+" + _EIGHTEEN + r"\b" + _AMOUNT_AFTER + r"|"
    # "a minor" as a noun: at the end, before punctuation or a linking word; as an adjective
    # ("a minor inconvenience", "a minor in music") it qualifies what follows.
    r"\b(?:still\s+|legally\s+|technically\s+)?a\s+minor\b(?=\s*(?:$|[^\w\s-]|(?:and|but|who|"
    r"so|still|when|until|under|at|by|herself|himself|according|in\s+the\s+eyes|in\s+law|"
    r"in\s+(?:her|his|their|my|your|this|that|most|many|some|every)\s+(?:country|countries|"
    r"state|states|jurisdiction|eyes))\b))|"
    r"\bnot\s+(?:yet\s+)?(?:an?\s+)?(?:legal\s+)?adult\b|\bnot\s+legal(?:ly\s+an\s+adult)?\s+yet\b|"
    r"\bnot\s+legally\s+an\s+adult\b|\b(?:nearly|almost)\s+legal\b|\bnot\s+of\s+(?:legal\s+)?age\b|"
    r"\b(?:below|under)\s+the\s+age\s+of\s+consent\b|\bnot\s+grown[\s-]*up\s+yet\b|"
    r"\btoo\s+young\s+to\s+be\s+an\s+adult\b|\bnot\s+old\s+enough\s+to\s+(?:vote|drink|drive|"
    r"consent)\b|\b(?:turns?|turning|be)\s+" + _EIGHTEEN + r"\s+(?:next|in\s+the|in\s+a|soon|this"
    r"|until)\b(?!\s+years?\b)|\b" + _EIGHTEEN + r"\s+next\s+(?:month|year|week|birthday|spring|"
    r"summer|autumn|winter)\b(?=[^.!?]*$)(?<!\d\s)|"
    r"\b(?:weeks?|months?|days?|a\s+year)\s+(?:shy|short|away)\s+(?:of|from)\s+(?:turning\s+)?"
    + _EIGHTEEN + r"\b|\b(?:months?|weeks?)\s+from\s+turning\s+" + _EIGHTEEN + r"\b|"
    r"\b(?:1[0-7]|seventeen|sixteen)\s+and\s+a\s+half\b|\bpre[\s-]*18\b(?!\d)|"
    r"\bwill\s+be\s+" + _EIGHTEEN + r"\s+next\b|\bunderage\s+for\b")


def adulthood_denied(folded: str) -> str | None:
    match = _DENIED.search(folded)
    if match is None:
        return None
    sentence = folded[folded.rfind(".", 0, match.start()) + 1:]
    if re.search(r"\b(?:anniversary|in\s+business|years?\s+of|stone\s+by|the\s+pig)\b", sentence):
        return None
    return match.group(0).strip()


# -- consent refused or absent ----------------------------------------------------------------

_CONSENT = re.compile(
    r"\bagainst\s+(?:her|his|their|my|your)\s+will\b(?!\s+to\b)|"
    r"\bwithout\s+(?:her|his|their|my|your\s+)?\s*consent\b|"
    r"\b(?:can'?t|cannot|could\s*n[o']t)\s+(?:say\s+no|refuse|agree)\b|"
    r"\bforced\s+(?:himself|herself|themselves)\s+on\b|"
    r"\btook\s+advantage\s+of\s+(?:her|him|them)\s+while\s+(?:she|he|they)\s+(?:slept|was\s+"
    r"asleep|were\s+asleep)\b|\b(?:was|were)\s+asleep\s+and\s+could\s+not\s+agree\b|"
    r"\bdrugged\s+(?:her|his|their)\s+drink\b|\bunwilling\s+(?:partner|participant)\b|"
    r"\bignores?\s+(?:her|his|their)\s+(?:no|refusal)\b|\bignored\s+(?:her|his|their)\s+"
    r"(?:no|refusal)\b|\bwhen\s+she\s+refuses\b")


def consent_refused(folded: str) -> str | None:
    match = _CONSENT.search(folded)
    return match.group(0).strip() if match else None


# Most texts name no school, age, adulthood or consent: a look at each word's beginning says so
# (a set of prefixes, checked in C, is several times cheaper than one regular expression of them).
_TOKEN = re.compile(r"[a-z0-9']+")
_PREFIXES = ("year", "yr", "grad", "scho", "gcse", "kinder", "homeroom", "fresh", "sophom", "6th",
             "junior", "sixth", "primary", "secondary", "middle", "elementary", "jahr", "anos",
             "anni", "jaar", "18", "eighteen", "minor", "adult", "legal", "consent", "against",
             "refus", "agree", "asleep", "slept", "drugged", "unwilling", "forced", "half",
             "underage", "grown", "enough", "advantage", "ignor", "say", "high")
_WORDS = frozenset({"ans", "lat", "ar", "ist", "bin", "bist", *(f"y{n}" for n in range(1, 14)),
                    *(f"{k}{n}" for k in "sp" for n in range(1, 8))})


def _may_signal(folded: str) -> bool:
    return any(word.startswith(_PREFIXES) or word in _WORDS for word in _TOKEN.findall(folded))


def signals(folded: str) -> Iterator[tuple[str, str, str]]:
    """(term, category, matched) for each kind of signal the text carries."""
    if not _may_signal(folded):
        return
    for term, category, rule in (("school year", "youth", school_year),
                                 ("age under 18 (abroad)", "youth", stated_age_abroad),
                                 ("adulthood denied", "youth", adulthood_denied),
                                 ("consent refused", "violence", consent_refused)):
        found = rule(folded)
        if found:
            yield term, category, found
