"""A stated age under 18, in any common notation: a rule, not a word list.

It reads the folded text (compatibility, case and script folded, invisible characters removed) and
looks for a number said to be someone's age: "15yo", "15 y.o.", "15 y/o", "15-year-old",
"fifteen years old", "age 15", "aged 15", "age: 15", "she is 15", "i'm 15", "just turned 15". Any
such age under 18 flags; 18 and over passes. Numbers that are not ages pass: prices, dates,
"top 10", "16 GB", "15 minutes", and things that have ages but are not people ("a 12-year-old
single malt").
"""

import re

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
}
_NUMBER = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_GAP = r"[\s\-_.]*"  # "15-year-old", "15 yo", "15yo", "15_yo"

# Things with an age that are not people: "a 12-year-old whisky", "my 10 year old laptop".
_NOT_A_PERSON = (
    "whisky", "whiskey", "scotch", "malt", "single", "bourbon", "rum", "brandy", "cognac", "wine",
    "port", "sherry", "cheese", "cheddar", "gouda", "parmesan", "balsamic", "vinegar", "tree",
    "oak", "vine", "vines", "house", "home", "building", "car", "bike", "laptop", "phone",
    "computer", "dog", "cat", "horse", "pony", "company", "business", "brand", "tradition",
    "recipe", "record", "song", "album", "game", "book", "blog", "account", "boots", "jacket",
    "sofa", "piano", "violin", "guitar", "bottle", "vintage", "starter", "sourdough", "mare",
    "stallion", "gelding", "filly", "colt", "mule", "donkey", "cow", "bull", "goat", "sheep",
    "parrot", "tortoise", "turtle", "fish", "rabbit", "hamster", "labrador", "terrier", "spaniel",
    "retriever", "collie", "poodle", "beagle", "mutt", "tabby", "boat", "tractor", "van", "truck",
)
_OBJECT_AFTER = r"(?!\s*(?:" + "|".join(_NOT_A_PERSON) + r")\b)"

# Units and words after a bare number that make it something other than an age.
_UNITS = (
    "%", "percent", "per", "x", "times", "minute", "minutes", "min", "mins", "hour", "hours",
    "hr", "hrs", "h", "day", "days", "week", "weeks", "month", "months", "second", "seconds",
    "sec", "secs", "gb", "mb", "kb", "tb", "gig", "gigs", "km", "k", "mile", "miles", "mi", "m",
    "cm", "mm", "kg", "g", "lb", "lbs", "pound", "pounds", "stone", "oz", "ft", "feet", "foot",
    "inch", "inches", "points", "pts", "goals", "th", "st", "nd", "rd", "am", "pm",
    "o'clock", "oclock", "euros", "dollars", "quid", "p", "pence", "items", "people", "times",
    "cups", "books", "cats", "dogs", "kids", "games", "plays", "degrees", "out of",
    # units of another language: the stated-age rules abroad read those (signals.py)
    "jaar", "jahre", "jahren", "ans", "anos", "anni", "lat", "ar",
)
_UNIT_AFTER = (r"(?!\s*(?:" + "|".join(re.escape(u) for u in _UNITS) + r")(?:\b|\s|$))"
               r"""(?![\d:/'’"]|[.,]\d)""")

_PATTERNS = [
    # 15yo, 15 y.o., 15 y/o, 15 yrs old, 15-year-old, fifteen years old, 15 years young, 15yoa
    re.compile(r"(?<![\d.,:/£$€])\b" + _NUMBER + _GAP +
               r"(?:y\s*[./\-]?\s*o\b\.?(?:\s*a\b\.?)?|yrs?\b\.?" + _GAP + r"(?:old|young)?|"
               r"years?" + _GAP + r"(?:old|young|of\s+age)|year" + _GAP + r"olds?)" +
               _OBJECT_AFTER),
    # age 15, aged 15, age: 15, ages 15, age of 15, age=15
    re.compile(r"\b(?:age|aged|ages|age\s+of)\s*[:=\-–—]?\s*" + _NUMBER +
               r"\b(?![\d:/\-]|[.,]\d)"),
    # she is 15, he's 15, i'm 15, im 15, i am 15, they are 15, just turned 15, turning 15 (not
    # "were 10" or "here 15", which read as "we're" and "he're")
    re.compile(r"\b(?!were\b|here\b)(?:(?:she|he|they|i|we|you|u)\s*(?:is|'s|’s|s|am|'m|’m|m|are|'re|’re|re|"
               r"was|were|will\s+be|turned|turns)|im|just\s+turned|turning|turned)\s+"
               r"(?:(?:only|just|barely|nearly|almost|still|both|all|now)\s+)*" + _NUMBER +
               r"\b" + _UNIT_AFTER),
]


def _value(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


# An age under 18 needs a digit or a number word under 18 somewhere: most texts have neither.
_MAY_STATE_AN_AGE = re.compile(r"\d|" + "|".join(w for w, n in _NUMBER_WORDS.items() if n < 18))


def stated_minor_age(folded: str) -> str | None:
    """The phrase stating an age under 18, if the (folded) text has one."""
    if not _MAY_STATE_AN_AGE.search(folded):
        return None
    for pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            if _value(match.group("n")) < 18:
                return match.group(0).strip()
    return None
