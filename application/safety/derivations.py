"""Derived forms of a blocked word, by rule: the nouns and adjectives English makes from it.

"teen" gives "teenage", "teenager", "teenaged", "teenie"; "kid" gives "kiddie", "kiddies";
"rape" gives "rapist", "raped"; "incest" gives "incestuous"; "abuse" gives "abusive". The usual
spelling rules apply (a final "e" drops before a vowel, a short final consonant doubles). Forms
the rules make that are ordinary innocent words ("kidding", "choker") are listed apart
(data/innocent.txt) and never match.
"""

VOWEL_SUFFIXES = ("ed", "ing", "er", "ers", "ish", "ist", "ists", "ism", "ous", "uous", "ious", "ual",
                  "ive", "y", "ie", "ies", "age", "aged", "ager", "agers", "ey")
OTHER_SUFFIXES = ("s", "es", "z", "like", "ly", "hood")
# What English stacks on a derived form: "kidnappings", "childishly", "incestuously".
STACKED_SUFFIXES = ("s", "ly", "ness")
PLURALS = ("s", "z")  # matched like the word itself, repeated letters and all
IRREGULAR = {"child": ("children",), "strangle": ("strangulation",)}  # and compounds of them
_VOWELS = set("aeiou")


def _short_syllable(word: str) -> bool:
    """Consonant, vowel, consonant at the end: the last consonant doubles ("kid" → "kidd-")."""
    if len(word) < 3:
        return False
    a, b, c = word[-3], word[-2], word[-1]
    return a not in _VOWELS and b in _VOWELS and c not in _VOWELS and c not in "wxy"


def derived_forms(word: str) -> set[str]:
    """The word and the forms derived from it (only for single words of letters)."""
    if not word.isalpha() or len(word) < 3:
        return {word}
    forms = _first_derivations(word)
    return forms | {form + suffix for form in forms - {word} for suffix in STACKED_SUFFIXES}


def _first_derivations(word: str) -> set[str]:
    forms = {word}
    for base, irregular in IRREGULAR.items():
        if word.endswith(base):  # "schoolchild" → "schoolchildren"
            forms.update(word[: -len(base)] + form for form in irregular)
    forms.update(word + suffix for suffix in OTHER_SUFFIXES)
    if word[-1] in _VOWELS and not word.endswith("e"):
        forms.add(word + "ish")  # "loliish"; English adds no other vowel suffix to these
        return forms
    stem = word[:-1] if word.endswith("e") else word
    for suffix in VOWEL_SUFFIXES:
        forms.add(stem + suffix)
        if _short_syllable(word):
            forms.add(word + word[-1] + suffix)
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms
