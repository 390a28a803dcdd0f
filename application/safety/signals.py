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
from datetime import date

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
              "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18}
# Ten to seventeen spelled out in the languages the stated-age rules read (accents folded).
_ABROAD_CARDINALS = {
    **dict.fromkeys(("dix", "zehn", "diez", "dieci", "tien", "dez", "dziesiec", "tio", "ti"), 10),
    **dict.fromkeys(("onze", "elf", "once", "undici", "jedenascie", "elva", "elleve"), 11),
    **dict.fromkeys(("douze", "zwolf", "doce", "dodici", "twaalf", "doze", "dwanascie",
                     "tolv"), 12),
    **dict.fromkeys(("treize", "dreizehn", "trece", "tredici", "dertien", "treze", "trzynascie",
                     "tretton", "tretten"), 13),
    **dict.fromkeys(("quatorze", "vierzehn", "catorce", "quattordici", "veertien", "catorze",
                     "czternascie", "fjorton", "fjorten"), 14),
    **dict.fromkeys(("quinze", "funfzehn", "fuenfzehn", "quince", "quindici", "vijftien",
                     "pietnascie", "femton", "femten"), 15),
    **dict.fromkeys(("seize", "sechzehn", "dieciseis", "sedici", "zestien", "dezesseis",
                     "dezasseis", "szesnascie", "sexton", "seksten"), 16),
    **dict.fromkeys(("dix-sept", "dix sept", "siebzehn", "diecisiete", "diciassette", "zeventien",
                     "dezessete", "dezassete", "siedemnascie", "sjutton", "sytten"), 17)}
_NUM = r"(?P<n>\d{1,2}|" + "|".join(sorted(_CARDINALS, key=len, reverse=True)) + r")"
_ABROAD_NUM = (r"(?P<n>\d{1,2}|" + "|".join(sorted({*_CARDINALS, *_ABROAD_CARDINALS}, key=len,
                                                      reverse=True)) + r")(?![.,:]?\d)")
_ORD = r"(?P<n>\d{1,2}(?:st|nd|rd|th)?|" + "|".join(_ORDINALS) + r")"

# A sentence about teaching, coaching or examining young people, or an adult looking back.
_ADULT_CONTEXT = re.compile(
    r"\b(?:teach\w*|taught|tutor\w*|coach\w*|head\s+of|mark(?:ed|ing|er)?|examin\w*|"
    r"invigilat\w*|parents'?\s+evening|librarian|nurse|governor|lecturer|officer|headteacher|"
    r"principal|(?<!sixth\s)(?<!sixth-)(?<!sixth)former|retired|reunion|sweetheart|results\s+day|admissions|judge|"
    r"as\s+(?:the|their|a)\s+teacher|for\s+my\s+(?:students|son|daughter|kids)|author|writer|"
    r"publisher|textbooks?|curriculum|syllabus|phd|doctorate|residency|apprentice\w*|"
    r"universit\w*|undergrad\w*|counsel\w*|(?:long\s+time|years|decades)\s+ago)\b|"
    r"\bi'?m\s+(?:1[89]|[2-9]\d)\b|"
    r"\b(?:in|during)\s+the\s+(?:(?:19|20)?\d0'?s|sixties|seventies|eighties|nineties|noughties)\b|"
    r"\b(?:was|were)\b[^.!?]*\b(?:back\s+in|in)\s+(?:19|20)\d\d\b|"
    r"\bback\s+in\s+(?:19|20)\d\d\b|\bat\s+(?:[2-9]\d)\b|\baged?\s+(?:1[89]|[2-9]\d)\b|"
    r"\b(?:1[89]|[2-9]\d)\s*(?:years?\s+old)?\s*$|,\s*(?:1[89]|[2-9]\d)\b|"
    r"\b(?:twenty|thirty|forty|fifty|sixty)[\w-]*\b")
# What a "grade" measures when it is not a school year.
_NOT_A_SCHOOL_GRADE = re.compile(
    r"\s*(?:piano|violin|viola|cello|guitar|flute|clarinet|oboe|trumpet|drums?|singing|voice|"
    r"theory|music|ballet|dance|tap|exam|climbing|route|boulder|steel|earthquake|listed|"
    r"beef|coffee|brew|of\s+the|mathematics\s+paper|paper|hurricane|storm|cyclone|typhoon|"
    r"tornado|gale|rapids?|whitewater|tumou?rs?|cancer|sprain|burn|injur\w*|tear|concussion|"
    r"steel|concrete|timber|fuel|diesel|oil|leather|silk|wool|diamonds?|gold|ankle|knee|wrist|"
    r"hamstring|calf|groin|muscle|ligament|shoulder|back|hip|(?:reading|maths?|writing|"
    r"spelling|vocabulary|comprehension|literacy|numeracy)\s+(?:level|age|standard))\b")
_SCHOOL_YEAR = [
    # year 9, yr 10, year eleven, y9 pupil (UK, Australia, New Zealand: years 1 to 13)
    re.compile(r"\b(?:year|yr)[\s-]*" + _NUM + r"\b(?!\s*(?:-|\s)?(?:year|yr|old|plan|anniversary|"
               r"bug|project|of\s+\w+ing\b|of\s+(?:the|my|our|her|his|their|your|its|this|that|an?|\d|"
               r"two|three|four|five|six|seven|eight|nine|ten)|bus|route|\d))"),
    re.compile(r"\by(?P<n>[1-9]|1[0-3])\s+(?:pupil|student|girl|boy|kid)\b"),
    # 8th grade, eighth-grade, grade 8, a ninth-grader, grade ten
    re.compile(r"\b" + _ORD + r"[\s-]*grad(?:e|er|ers)\b"),
    re.compile(r"\bgrade[\s-]*" + _NUM + r"\b"),
    # Scotland: S1 to S6 and P1 to P7 pupils ("she's in S3", not "stored in S3")
    re.compile(r"(?:^|\b(?:is|am|are|was|were|currently|now|still)\s+|'[sm]\s+)in\s+"
               r"(?P<n>[sp][1-7])\b(?=\s+(?:at|studying|class|doing|taking|sitting)|\s*$|[,.])"),
    re.compile(r"\ban?\s+(?P<n>[sp][1-7])\b(?=\s+(?:pupil|at|studying|class|girl|boy)|\s*$|[,.])"),
    re.compile(r"\b(?P<n>[sp][1-7])\s+(?:pupil|student|girl|boy|leaver|class)s?\b"),
]
_SCHOOL_LEVEL = re.compile(
    r"\bhigh[\s-]*school\s+(?:freshman|sophomore|junior|senior|student|pupil|girl|boy|kid)\b|"
    r"\b(?:freshman|sophomore|junior|senior|first\s+year)\s+(?:in|of|at)\s+(?:[\w']+\s+){0,3}?"
    r"high(?:[\s-]*school)?\b|"
    r"\bjr\.?\s*high\b|\bhs\s+(?:freshman|sophomore|junior|senior|student|girl|boy)\b|"
    r"\b(?:freshman|sophomore|junior|senior)\s+in\s+hs\b|"
    r"\b(?:high|middle|secondary|primary|elementary|junior\s+high)[\s-]*school(?:'s)?\s+"
    r"(?:cheerleader|athlete|quarterback|player|crush|prom|student\s+council|musical|band|dance|"
    r"girlfriend|boyfriend|basketball|football|soccer|volleyball|baseball|softball|swim|track|"
    r"cross[\s-]*country|debate|drama|robotics|chess|team|squad|newspaper|yearbook|orchestra|"
    r"choir|homecoming|hallways?|lockers?|cafeteria|classmates?|homework|netball|hockey|rugby|"
    r"lacrosse|gymnastics|field\s+trip|detention|timetable|uniform)s?\b|"
    r"\bform\s+(?:one|two|three|four|five|six)\s+(?:student|pupil|girl|boy|class)\b|"
    r"\b(?:primary|secondary)\s+(?:[1-7]|one|two|three|four|five|six|seven)\s+(?:pupil|student|"
    r"girl|boy|class)\b|\b(?:lower|upper)\s+sixth(?:\s+form)?\s+(?:student|pupil|girl|boy)\b|"
    r"\bin\s+the\s+(?:lower|upper)\s+sixth\b|\bvarsity\b[^.!?]*\b(?:freshman|sophomore)\b|"
    r"\b(?:freshman|sophomore)\b[^.!?]*\bvarsity\b|\bpsat\b|"
    r"\bthe\s+(?:sat|act)s?\b[^.!?]*\bas\s+an?\s+(?:freshman|sophomore|junior|senior)\b|"
    r"\bas\s+an?\s+(?:freshman|sophomore|junior|senior)\b[^.!?]*\bthe\s+(?:sat|act)s?\b|"
    r"\b(?:middle|elementary|grade)[\s-]*school(?:ers?)?\b|\bjunior\s+high\b|"
    r"\b(?:doing|sitting|taking|studying\s+for)\s+(?:her|his|their|my)\s+(?:nat(?:ional)?\s*5s?|"
    r"highers)\b|\bu(?:1[0-7]|[89])s?\s+(?:team|squad|side|netball|football|soccer|hockey|rugby|"
    r"basketball|girls?|boys?|players?)\b|\b(?:11|eleven)[\s-]*plus\b(?!\s+years)|"
    r"\b(?:first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th)\s+year\s+(?:at|of|in)\s+"
    r"(?:an?\s+|the\s+)?(?:[\w']+\s+)?secondary\b|\btransition\s+year\s+(?:student|pupil|girl|boy)\b|\bjunior\s+(?:cert|"
    r"certificate|cycle)\b|\bleaving\s+cert(?:ificate)?\s+(?:student|pupil|year|girl|boy)\b|"
    r"\b(?:first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|lower\s+sixth|upper\s+sixth)\s+"
    r"form\b(?!\s+(?:of|for|to|that|which))|\bform\s+[1-6]\s+(?:student|pupil|girl|boy|class)\b|"
    r"\bin\s+form\s+[1-6]\b(?![\d.])|\b(?:on\s+the\s+)?jv\s+(?:team|squad|soccer|football|"
    r"basketball|volleyball|baseball|cheer\w*)\b|\bncea\s+level\s+[1-3]\b|"
    r"\b(?:goes\s+to|at|in|just\s+finished|starting|started)\s+(?:high|middle|junior\s+high|"
    r"elementary|primary|secondary)[\s-]*school\b|"
    r"\b(?:middle|junior\s+high|elementary|primary|secondary)[\s-]*school\s+(?:student|pupil|"
    r"girl|boy|kid)\b|\ba\s+primary[\s-]*school\s+(?:girl|boy)\b|\bjunior\s+high\s+(?:kid|"
    r"student|girl|boy)\b|\bin\s+junior\s+high\b|"
    r"\b(?:doing|revising\s+for|sitting|taking)\s+(?:her|his|their|my)\s+(?:mock\s+)?gcses?\b|"
    r"\bgcses?\s+(?:student|pupil|mocks?|exams?|year|coursework)\b|"
    r"\b(?:her|his|their|my|your)\s+(?:mock\s+)?i?gcses?\b|"
    r"\b(?:in\s+)?sixth[\s-]*form\s+(?:student|pupil|at\s+(?:1[67]|sixteen|seventeen))\b|"
    r"\bin\s+sixth[\s-]*form\s+at\b|\bhomeroom\b|\bfirst\s+year\s+of\s+secondary\s+school\b|"
    r"\bkindergart(?:en|ner|ener)s?\b|"
    r"\b(?:last|final|first|second)\s+year\s+(?:of|at)\s+(?:primary|middle|junior\s+high|"
    r"elementary|secondary|high)[\s-]*school\b|"
    r"\b(?:6th|sixth)[\s-]*form(?:er)?\s+(?:student|pupil|girl|boy)\b|\bsixth[\s-]*former\b|"
    r"\b(?:quiz|test|class|lesson|exam|homework|presentation|lab)\b[^.!?]{0,25}\b(?:in|during|"
    r"before|after)\s+(?:first|second|third|fourth|fifth|sixth|seventh|1st|2nd|3rd|4th|5th|6th|"
    r"7th)\s+period\b|\b(?:first|second|third|fourth|fifth|sixth|seventh|1st|2nd|3rd|4th|5th|6th|"
    r"7th)\s+period\s+(?:chemistry|biology|physics|maths?|math|english|history|geography|french|"
    r"spanish|german|science|algebra|geometry|gym|pe|art|class|lesson|teacher)\b|"
    r"\b(?:junior|senior)\s+prom\b|\b(?:preparing\s+for|getting\s+ready\s+for|going\s+to|"
    r"dress\s+for|date\s+(?:for|to))\s+(?:the|her|his|my|their)\s+prom\b")


def _number(token: str) -> int:
    token = token.rstrip("stndrh") if token[:1].isdigit() else token
    if token.isdigit():
        return int(token)
    return _ORDINALS.get(token) or _CARDINALS.get(token) or _ABROAD_CARDINALS.get(token, 99)


# A school year that is someone's own even in a sentence about a teacher ("her homeroom teacher").
_OWN_SCHOOL_YEAR = re.compile(r"\b(?:her|his)\s+homeroom\b")


def school_year(folded: str) -> str | None:
    own = _OWN_SCHOOL_YEAR.search(folded)
    if own:
        return own.group(0)
    for sentence in re.split(r"(?<=[.!?])(?<!\bjr\.)\s+", folded):
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
    if level:
        return level.group(0).strip()
    graduating = _CLASS_OF.search(sentence)  # a high school's class graduating years from now
    if graduating and int(graduating.group(1)) >= _THIS_YEAR:
        return graduating.group(0).strip()
    return None


_CLASS_OF = re.compile(r"\bclass\s+of\s+(20\d\d)\b(?=[^.!?]*\bhigh\b)")
_THIS_YEAR = date.today().year


# -- stated ages abroad -----------------------------------------------------------------------

_OBJECTS = (r"whisky|whiskey|vino|vin|wein|wine|fromage|kaas|queso|formaggio|cheese|aceto|"
            r"balsamico|cognac|rhum|porto")
# An age of a thing, not a person: "un whisky de 15 ans", "das Haus ist 15 Jahre alt", "il vino
# ha 15 anni".
_THINGS = (r"haus|auto|wagen|gebaude|hund|katze|pferd|baum|firma|unternehmen|projekt|laden|"
           r"geschaft|maison|voiture|chien|chat|entreprise|casa|coche|perro|gato|empresa|carro|"
           r"cachorro|macchina|cane|gatto|azienda|huis|hond|kat|bedrijf|dom|samochod|pies|kot|"
           r"firma|hus|bil|hunden|katten|huset|bilen|foretag")
_THING_BEFORE = re.compile(r"\b(?:" + _OBJECTS + "|" + _THINGS + r")\s+(?:(?:de|van|di|ist|ha|a|"
                           r"tiene|tem|is|ma|ar|er|hat|est|e)\s+)+$")
# Words that may stand between the verb and the age: "n'a que", "erst", "solo", "pas", "tylko".
_ONLY = (r"(?:(?:que|seulement|a\s+peine|tout\s+juste|juste|erst|gerade(?:\s+mal)?|nur|solo|"
         r"apenas|recien|appena|soltanto|pas|net|maar|tylko|dopiero|bara|kun|so)\s+)?")
# After the unit, what makes it a duration of something: "d'experience", "di esperienza",
# "jaar getrouwd", "lat doswiadczenia" (but "de edad", "di eta" are ages).
_DURATION_AFTER = (r"(?!\s*(?:de\b(?!\s+(?:edad|idade))|d'|d\s|di\b(?!\s+eta\b)|of\b|w\b|"
                   r"experienc\w*|esperienz\w*|erfahrung|ervaring|erfarenhet|erfaring|"
                   r"doswiadcz\w*|stazu|pracy|getrouwd|gift|verheiratet|married|casad\w*|"
                   r"sposat\w*|samen|zusammen|insieme|juntos|juntas|bezig|in\s+dienst|\w+(?:ando|iendo|endo)|"
                   r"lang|\w+\s+gewesen|\w+\s+gearbeitet)\b)")
# German particles between the verb and the age: "ich bin selbst erst 16", "sie ist doch erst 15".
_GERMAN_FILLER = r"(?:(?:selbst|auch|doch|noch|schon|jetzt|halt|eben|ja|wirklich)\s+)?"
_ABROAD = [
    # French: j'ai 15 ans, elle a 14 ans, une fille de 16 ans, elle n'a que 15 ans
    re.compile(r"(?<!\by\s)(?<!\by\sa\s)\b(?:j'ai|j\s?ai|n'ai|n'a|a|as|ont|de|age\s+de|agee?\s+"
               r"de|d'avoir|avoir|aura|aurai|auras)\s+" + _ONLY + _ABROAD_NUM + r"\s+ans\b" +
               _DURATION_AFTER),
    # German: ich bin 16 (jahre alt), ein 14-jahriges madchen, sie ist (erst) 15 (jahre)
    re.compile(r"(?:\b(?:ich|und|aber)\s+bin|(?:^|[.!?,]\s*)bin|\b(?:sie|er|und|aber)\s+ist|"
               r"\bdu\s+bist|\bcharakter\s+ist)\s+" + _GERMAN_FILLER + _ONLY +
               _ABROAD_NUM + r"(?:\s+jahre?)?+(?:\s+alt)?+\b(?![.:]\d|\d)(?!\s*(?:uhr|grad|euro|"
               r"prozent|%|kilo\w*|km|\w*meter|minuten|stunden|cm|kg|tage|wochen|monate|mal|"
               r"stuck|seiten|punkte|tore|liter|pfund|dollar|franken|zimmer|kinder|enkel)\b)" +
               _DURATION_AFTER),
    re.compile(r"\b" + _ABROAD_NUM + r"[\s-]*jahrige[snrm]?\b"),
    re.compile(r"\b" + _ABROAD_NUM + r"\s+jahre\s+alt\b"),
    re.compile(r"\bvon\s+" + _ABROAD_NUM + r"\s+jahren\b"),
    # Just turned: ist gerade 15 geworden, is net 15 geworden
    re.compile(r"\b" + _ABROAD_NUM + r"\s+(?:jahre?\s+(?:alt\s+)?)?geworden\b"),
    # Scandinavian with no unit, closing the sentence: "och ar 15.", "hun er 16"
    re.compile(r"\b(?:och|og|jag|jeg|hon|hun|han)\s+(?:ar|er)\s+" + _ONLY + _ABROAD_NUM +
               r"(?=\s*(?:$|[.!?,;]))"),
    # Turning an age soon: ich werde bald 17, j'aurai 16 ans, cumplo 16, compio 16 anni, ik word 16
    re.compile(r"\b(?:ich\s+werde|sie\s+wird|er\s+wird|j'aurai|elle\s+aura|il\s+aura|cumplo|"
               r"cumple|voy\s+a\s+cumplir|va\s+a\s+cumplir|compio|compie|faccio|ik\s+word|zij\s+wordt|"
               r"hij\s+wordt|fao|faz)\s+(?:bald|bientot|pronto|presto|binnenkort|morgen|"
               r"ubermorgen|demain|domani|manana|amanha|im\s+\w+|am\s+\w+|en\s+\w+|a\s+\w+|"
               r"in\s+\w+|(?:nachste[nrs]?|diese[nrs]?|volgende|deze)\s+\w+|la\s+semaine\s+"
               r"prochaine|le\s+mois\s+prochain|la\s+prossima\s+settimana|el\s+mes\s+que\s+viene|"
               r"la\s+semana\s+que\s+viene)?\s*" + _ABROAD_NUM +
               r"\b(?!\s*(?:uhr|heures|horas|ore|uur|euro|mal|seiten|kilo\w*|km|\w*meter))"),
    # A name, then the age and its unit: "c'est Chloe, 15 ans,", "Ragazza, 16 anni, di Milano"
    re.compile(r"(?:^|[.!?]\s+|\b(?:c'est|je\s+suis|bin|ich\s+bin|sono|soy|sou|ben|jestem|"
               r"jag\s+heter|jeg\s+hedder|jeg\s+heter)\s+)(?:[\w'-]+\s+){0,2}?[\w'-]+,\s*" +
               _ABROAD_NUM + r"\s+(?:ans|jahre|anni|anos|jaar|lat|ar)\b(?=\s*(?:[,.;!?)]|$))"),
    # A girl or a boy "of" an age, in Danish, Norwegian, Swedish: "en pige pa 15 ar"
    re.compile(r"\b(?:pige|pigen|dreng|drengen|jente|jenta|gutt|gutten|flicka|flickan|pojke|"
               r"pojken|tjej|kille|barn)\s+pa\s+" + _ABROAD_NUM + r"\s+ar\b"),
    # An age with no unit, beside school: "tiene 16 y va al instituto", "j'ai 15, je suis au lycee"
    re.compile(r"\b(?:tengo|tiene|tenho|tem|ho|ha|j'ai|a|ich\s+bin|sie\s+ist|er\s+ist|ik\s+ben|"
               r"mam|ma|jag\s+ar|jeg\s+er)\s+" + _ONLY + _ABROAD_NUM + r"\b(?=[^.!?]*\b(?:instituto|"
               r"colegio|liceo|lycee|college|gymnasium|gymnasiet|scuola|escola|escuela|middelbare|"
               r"szkol\w*|gimnazj\w*|realschule|gesamtschule|hauptschule)\b)"),
    # Spanish, Portuguese: tengo 13 anos, una chica de 16 anos, tenho 15 anos
    re.compile(r"\b(?:tengo|tiene|tienes|tenia|tenho|tem|tens|de|cumplio|cumple|cumplira|cumplo|"
               r"fez|faz|fara|fiz)\s+" + _ONLY + _ABROAD_NUM +
               r"\s+anos\b" + _DURATION_AFTER),
    # Italian: ho 15 anni, una ragazza di 14 anni, lei ha 15 anni
    re.compile(r"\b(?:ho|ha|hai|hanno|di|compiuto|compiuta|compie|compira|compiro)\s+" + _ONLY +
               _ABROAD_NUM + r"\s+anni\b(?!\s+fa\b)" +
               _DURATION_AFTER),
    # Dutch: ik ben 15 (jaar oud), een meisje van 15 jaar, zij is 16 jaar
    re.compile(r"\b(?:ben|is|bent|zijn|van)\s+" + _ONLY + _ABROAD_NUM +
               r"\s+jaar\b(?!\s+geleden\b)" + _DURATION_AFTER),
    re.compile(r"\b(?:ik\s+ben|zij\s+is|hij\s+is)\s+" + _ONLY + _ABROAD_NUM +
               r"\s*(?:$|[.!?,;]\s*$|[.!?,;]\s+(?=\w))"),
    # Polish: mam 16 lat, ona ma 16 lat
    re.compile(r"\b(?:mam|ma|masz|maja)\s+" + _ONLY + _ABROAD_NUM + r"\s+lat\b(?!\s+temu\b)" +
               _DURATION_AFTER),
    # Swedish, Danish, Norwegian: jag ar 14 ar, jeg er 16 ar gammel, hun er 16 ar
    re.compile(r"\b(?:ar|er)\s+" + _ONLY + _ABROAD_NUM + r"\s+ar\b(?!\s+(?:sedan|siden)\b)" +
               _DURATION_AFTER),
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
                    _THING_BEFORE.search(folded[:match.start("n")]):
                continue
            return match.group(0).strip()
    return None


# -- adulthood denied or hedged ---------------------------------------------------------------

_EIGHTEEN = r"(?:18|eighteen)"
_AMOUNT_AFTER = (r"(?!\s*(?:\+|s\b|-?s\b|or\s+(?:over|older)|and\s+over|years?\s+(?:of|in)|"
                 r"thousand|hundred|million|k\b|grand|[,;:-]?\s*(?:but\s+)?(?:1[89]|[2-9]\d|nineteen|"
                 r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b|"
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
    r"so|still|when|until|under|at|by|herself|himself|according|where|there|here|then|now|"
    r"though|anyway|legally|yet|for|in\s+the\s+eyes|in\s+law|"
    r"in\s+(?:her|his|their|my|your|this|that|most|many|some|every)\s+(?:country|countries|"
    r"state|states|jurisdiction|eyes))\b))|"
    r"\bnot\s+(?:yet\s+)?(?:an?\s+)?(?:legal\s+)?adult\b|\bnot\s+legal(?:ly\s+an\s+adult)?\s+yet\b|"
    r"\bnot\s+(?:yet\s+|quite\s+)*legal\b(?=\s*(?:yet\b|$|[^\w\s]))|"
    r"\bnot\s+legally\s+an\s+adult\b|\b(?:nearly|almost)\s+legal\b|"
    r"\bnot\s+(?:yet\s+)?of\s+(?:legal\s+)?age\b|\bnot\s+grown[\s-]*up\s+yet\b|"
    r"\b(?:below|under)\s+the\s+age\s+of\s+(?:consent|majority|" + _EIGHTEEN[3:-1] + r")\b|"
    r"\b(?:below|under)\s+(?:the\s+)?(?:legal|adult|drinking|voting|consenting)\s+age\b|"
    r"\byounger\s+than\s+" + _EIGHTEEN + r"\b|"
    r"\b(?:almost|nearly|not\s+quite|soon\s+to\s+be|about\s+to\s+be)\s+(?:an?\s+adult|legal|"
    r"grown[\s-]*up)\b|"
    r"\b(?:a\s+year|months?|weeks?|days?|(?:a\s+few|a\s+couple\s+of|two|three|four|five|six)\s+"
    r"(?:years?|months?|weeks?|days?))\s+(?:away\s+from|from|off|short\s+of)\s+(?:being\s+)?(?:legal|"
    r"an\s+adult|adulthood|(?:the\s+)?(?:age\s+of\s+majority|legal\s+age)|grown[\s-]*up|"
    + _EIGHTEEN[3:-1] + r")\b|"
    r"\b(?:months?|weeks?|days?)\s+(?:from|before|until|till|to)\s+(?:her|his|my|their)\s+"
    r"(?:18th|eighteenth)\b|"
    r"\btoo\s+young\s+to\s+(?:vote|drink|drive|consent|sign\s+up|buy\s+alcohol|be\s+(?:here|on\s+"
    r"here|an\s+adult))\b|"
    r"^\s*(?:seventeen|sixteen|fifteen|fourteen|thirteen)\s*[,;:!-]|"
    r"^\s*(?:1[0-7])\s*,\s*(?:but|and|going|nearly|almost|loves?|likes?|she|he|i)\b|"
    r"\b(?:hasn'?t|has\s+not|haven'?t|have\s+not|didn'?t|did\s+not|not\s+yet)\s+(?:yet\s+)?"
    r"turned?\s+" + _EIGHTEEN + r"\b|"
    r"\b" + _EIGHTEEN + r"\s+in\s+(?:a\s+few|a\s+couple\s+of|\d+|two|three|four|five|six|a)\s+"
    r"(?:months?|weeks?|days?)\b|"
    r"\b(?:she'?s|he'?s|i'?m|they'?re|she\s+is|he\s+is|i\s+am|will\s+be|turns?)\s+" + _EIGHTEEN +
    r"\s+in\s+(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|(?:the\s+)?(?:spring|summer|autumn|fall|winter))\b(?!\s*,?\s*(?:19|20)\d\d)|"
    r"\btoo\s+young\s+to\s+be\s+an\s+adult\b|\bnot\s+old\s+enough\s+to\s+(?:vote|drink|drive|"
    r"consent|sign\s+up|join|register|be\s+(?:here|on\s+here|on\s+(?:this|the)\s+(?:site|app|"
    r"platform))|use\s+(?:this|the)\s+(?:site|app|platform)|have\s+an\s+account)\b|"
    r"\b(?:turns?|turning|be)\s+" + _EIGHTEEN + r"\s+(?:next|in\s+the|in\s+a|soon|this"
    r"|until)\b(?!\s+years?\b)|\b" + _EIGHTEEN + r"\s+next\s+(?:month|year|week|birthday|spring|"
    r"summer|autumn|winter)\b(?=[^.!?]*(?:[.!?]+\s*)?$)(?<!\d\s)|"
    r"\b(?:weeks?|months?|days?|a\s+year)\s+(?:shy\s+of|short\s+of|away\s+from|off|before|"
    r"until|till)\s+(?:turning\s+)?" + _EIGHTEEN + r"\b|"
    r"\b(?:months?|weeks?)\s+from\s+turning\s+" + _EIGHTEEN + r"\b|"
    r"\b(?:1[0-7]|seventeen|sixteen|fifteen)\s+and\s+(?:a\s+half|a\s+bit|a\s+quarter|three\s+"
    r"quarters)\b|\bpre[\s-]*18\b(?!\d)|"
    r"\bwill\s+be\s+" + _EIGHTEEN + r"\s+next\b|\bunderage\s+for\b|"
    # (after "is", "'m", "are" it is a stated age, the age rule's)
    r"(?<!\bis\s)(?<!'s\s)(?<!\bam\s)(?<!'m\s)(?<!\bare\s)(?<!'re\s)"
    r"\b(?:only|just|barely|merely)\s+(?:1[0-7]|seventeen|sixteen|fifteen|fourteen|thirteen)\b"
    r"(?=\s*(?:$|[^\w\s]|and\b|but\b|yet\b|so\b|years?\s+old\b))|"
    r"\b(?:before|until|till|away\s+from|to|waiting\s+for|ahead\s+of)\s+(?:her|his|my|their)\s+"
    r"(?:18th|eighteenth)\b|\b(?:her|his|my|their)\s+(?:18th|eighteenth)\s+(?:birthday\s+)?(?:is|will\s+be|comes?)\s+(?:in|"
    r"next|on|soon|coming|up)\b|"
    r"\b(?:just|a\s+bit|a\s+little|slightly|barely)\s+(?:shy|short)\s+of\s+(?:turning\s+)?"
    + _EIGHTEEN + r"\b|\bpre[\s-]*eighteen\b|"
    r"\b(?:just\s+|a\s+bit\s+|a\s+little\s+|slightly\s+|barely\s+)?(?:shy|short)\s+of\s+(?:the\s+)?"
    r"(?:legal\s+age|age\s+of\s+(?:consent|majority)|adulthood|being\s+(?:legal|an\s+adult))\b|"
    r"\b(?:still|now|currently|only|just)\s+in\s+(?:her|his|their|my)\s+(?:early|mid|middle)?"
    r"[\s-]*teens\b|\b(?:she'?s|he'?s|i'?m|she\s+is|he\s+is|i\s+am)\s+in\s+(?:her|his|my)\s+"
    r"(?:early|mid|middle)[\s-]*teens\b|\ban?\s+(?:early|mid)[\s-]*teen\b|"
    r"\b(?:won'?t|will\s+not)\s+be\s+(?:legal|an\s+adult|" + _EIGHTEEN[3:-1] + r")\s+(?:for|"
    r"until|till|before)\b|\bnot\s+legal\s+(?:for|until|till)\b|"
    r"\b(?:she'?ll|he'?ll|i'?ll|you'?ll|she\s+will|he\s+will|i\s+will)\s+be\s+" + _EIGHTEEN +
    r"\b(?!\s*(?:years?|months?|weeks?|days?|%|percent|euros?|dollars?|pounds?|minutes?|"
    r"hours?|kilos?|kg|miles?|km|points?))|"
    r"\btoo\s+young\s+for\s+(?:this|the|these|a)\s+(?:site|platform|app|place|content|chats?)\b|"
    r"\b(?:waiting|can'?t\s+wait|counting\s+down|about|going|set|due)\s+to\s+turn\s+" + _EIGHTEEN +
    r"\b|\b(?:until|till|before|once)\s+(?:she|he|i|they)\s+turns?\s+" + _EIGHTEEN + r"\b")


def adulthood_denied(folded: str) -> str | None:
    match = _DENIED.search(folded)
    if match is None:
        return None
    sentence = folded[folded.rfind(".", 0, match.start()) + 1:]
    if re.search(r"\b(?:anniversary|in\s+business|years?\s+of|stone\s+by|the\s+pig)\b|"
                 r"\bi'?m\s+(?:1[89]|[2-9]\d)\b", sentence):
        return None
    return match.group(0).strip()


# -- consent refused or absent ----------------------------------------------------------------

# What a drink is spiked in: "slips something into her wine".
_BEVERAGE = (r"(?:drinks?|wine|beer|cocktails?|coffee|tea|juice|soda|water|glass|cup|pint|"
             r"champagne|prosecco|punch)\b")
_CONSENT = re.compile(
    r"\bagainst\s+(?:her|his|their|my|your)\s+(?:will\b(?!\s+to\b)|wishes\b|consent\b)|"
    r"\bwithout\s+(?:her|his|their|my|your\s+)?\s*consent\b|"
    r"\bwithout\s+(?:her|his|their)\s+(?:permission|agreement)\b|"
    r"\b(?:she|he|they|you)\s+(?:can'?t|cannot|could\s*n[o']t)\s+(?:say\s+no|refuse|agree)\b"
    r"(?!\s+to\s+(?!(?:him|her|them|anyone|me|us)\b))|"
    r"\btoo\s+(?:drunk|drugged|high|out\s+of\s+it|asleep|tired|scared)\s+to\s+(?:say\s+(?:yes|no)|"
    r"agree|consent|refuse|resist|know)\b|"
    r"\bwhile\s+(?:she|he|they)\s+(?:was|were|is|are)\s+(?:passed\s+out|unconscious|out\s+cold|"
    r"drugged|black(?:ed)?\s+out)\b|"
    r"\bwhile\s+(?:she|he|they)\s+(?:(?:was|were|is|are)\s+(?:asleep|sleeping)|sleeps?|slept)"
    r"(?=\s*(?:$|[.!?]))|"
    r"\b(?:she|he|they|i)\s+(?:didn'?t|did\s+not|doesn'?t|does\s+not|never|can'?t|couldn'?t|"
    r"won'?t)\s+consent\b|"
    r"\bregardless\s+of\s+(?:(?:her|his|their)\s+(?:answer|wishes|will|consent|objections?|"
    r"protests?|refusal)|what\s+(?:she|he|they)\s+(?:says?|said|wants?))\b|"
    r"\bforc(?:e|es|ed|ing)\s+(?:himself|herself|themselves)\s+on\b|"
    r"(?<!parental\s)(?<!guardian\s)(?<!written\s)(?<!medical\s)(?<!informed\s)"
    r"\bconsent\s+(?:is|was|gets|being|isn'?t)\s+(?:treated\s+as\s+|considered\s+|seen\s+as\s+|"
    r"regarded\s+as\s+)?(?:ignored|optional|irrelevant|overridden|not\s+"
    r"(?:needed|required|asked\s+for|given))\b|\bignor\w+\s+(?:her|his|their)\s+(?:consent|"
    r"protests?|pleas?|objections?|struggles?|tears|wishes)\b|"
    r"\b(?:doesn'?t|does\s+not|never|won'?t)\s+ask(?:s|ing)?\b(?:\s+(?:first|permission|for\s+"
    r"permission))?[^.!?]{0,20}?\b(?:just\s+)?(?:takes?|grabs?|does\s+it)\b|"
    r"\bforced\s+to\s+(?:submit|obey|give\s+in|say\s+yes|go\s+along\s+with\s+it)\b|"
    r"\b(?:she|he|they)(?:'s|'re|\s+is|\s+was|\s+are|\s+were)\s+forced\s+to\s+comply\b(?!\s+with)|"
    r"\btook\s+advantage\s+of\s+(?:her|him|them)\s+(?:while|when)\s+(?:she|he|they)\s+(?:was|were)\s+"
    r"(?:drunk|asleep|passed\s+out|unconscious|drugged|high|out\s+of\s+it)\b|"
    r"\b(?:he|she|they)\s+drugs?\s+(?:her|him|them)\b|"
    r"\b(?:slip\w*|put\w*|spik\w*|drugg?\w*)\s+(?:something\s+|a\s+pill\s+|pills\s+|drugs?\s+)?"
    r"(?:in|into)?\s*(?:her|his|their)\s+" + _BEVERAGE + r"|"
    r"\bwhether\s+(?:she|he|they|you)\s+(?:likes?|wants?|like|want)\s+it\s+or\s+not\b|"
    r"\b(?:ignor\w+|keeps?\s+going|doesn'?t\s+stop|won'?t\s+stop)\b[^.!?]{0,30}?\b(?:says?|said|"
    r"begs?|begged|asks?|asked|tells?|told)\s+(?:him\s+|her\s+|them\s+)?(?:no|stop|to\s+stop)\b|"
    r"\bnever\s+(?:agreed|consented)\s+to\s+(?:any\s+of\s+)?(?:it|this|that|them)\b|"
    r"\b(?:coerc\w+|pressured|bullied|blackmailed|manipulated|guilted)\s+(?:her\s+|him\s+|them\s+)?"
    r"into\s+(?:it|this|that|bed)\b|"
    r"\btook\s+advantage\s+of\s+(?:her|him|them)\s+while\s+(?:she|he|they)\s+(?:slept|was\s+"
    r"asleep|were\s+asleep)\b|\b(?:was|were)\s+asleep\s+and\s+could\s+not\s+agree\b|"
    r"\bdrugged\s+(?:her|his|their)\s+drink\b|\bunwilling\s+(?:partner|participant)\b|"
    r"\bignores?\s+(?:her|his|their)\s+(?:no|refusal)\b|\bignored\s+(?:her|his|their)\s+"
    r"(?:no|refusal)\b|\bwhen\s+she\s+refuses\b|"
    r"\b(?:says?|said|tells?\s+(?:him|her|them)|told\s+(?:him|her|them)|begs?|begged)\s+(?:no|"
    r"(?:him\s+|her\s+)?to\s+stop|stop)\b[^.!?]{0,40}?\b(?:doesn'?t|does\s+not|won'?t|didn'?t|"
    r"did\s+not|never)\s+(?:listen|stop|care|hear\s+(?:her|him|it))\b|"
    r"\b(?:doesn'?t|does\s+not|won'?t|didn'?t|did\s+not|never)\s+stop(?:s|ped)?\s+(?:even\s+)?"
    r"(?:when|after|though|if)\s+(?:she|he|they|i)\s+(?:asks?|asked|begs?|begged|tells?|told|"
    r"says?|said|cries|cried|pleads?|pleaded)\b|"
    r"\b(?:is|she'?s|he'?s|they'?re|are|stays?|remains?)\s+(?:unconscious|passed\s+out|out\s+"
    r"cold|drugged|blacked\s+out)\s+(?:through|during|for|throughout|in)\s+(?:the\s+)?(?:whole\s+|"
    r"entire\s+)?(?:scene|roleplay|role[\s-]?play|rp|story|encounter)\b|"
    r"\bunconscious\s+(?:roleplay|role[\s-]?play|rp|scenes?|partners?|fantas\w+)\b|"
    r"\b(?:drug\w*|spik\w*|slip\w*)\s+(?:something\s+(?:in|into)\s+)?(?:someone'?s|somebody'?s|"
    r"people'?s|a\s+(?:girl|woman|guy|man|person|stranger)'?s|the\s+(?:girl|woman)'?s)\s+"
    + _BEVERAGE + r"|"
    # leaving prevented: "she tries to leave but he won't let her"
    r"\b(?:tries|tried|trying|wants?|wanted|begs?|begged|asks?|asked)\s+to\s+(?:leave|go|go\s+home|"
    r"get\s+away|escape|stop)\b[^.!?]{0,30}?\b(?:he|she|they)\s+(?:won'?t|doesn'?t|didn'?t|wouldn'?t|"
    r"will\s+not|does\s+not|did\s+not|would\s+not)\s+let\s+(?:her|him|them|me)\b|"
    r"\b(?:pressur\w+|coerc\w+|forc\w+)\s+(?:her|him|them)\s+until\s+(?:she|he|they)\s+(?:finally\s+)?"
    r"(?:gives?\s+in|gave\s+in|relents?|relented|says?\s+yes|said\s+yes|stops?\s+resisting)\b|"
    r"\bwears?\s+(?:her|him|them)\s+down\s+until\s+(?:she|he|they)\s+(?:gives?|gave)\s+in\b")


def consent_refused(folded: str) -> str | None:
    match = _CONSENT.search(folded)
    return match.group(0).strip() if match else None


# Most texts name no school, age, adulthood or consent: a look at each word says so, per rule
# (a word's beginning among a tuple of prefixes, or a short or common word among a set of whole
# words, both checked in C, is several times cheaper than the rule's regular expressions), so a
# text with an age in it runs the age rules, not the school or consent ones.
_TOKEN = re.compile(r"[a-z0-9']+")
_TEENS = frozenset(str(n) for n in range(10, 18))
_TEEN_WORDS = ("seventeen", "sixteen", "fifteen", "fourteen", "thirteen")
_TRIGGERS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "school": (("year", "yr", "grad", "scho", "gcse", "kinder", "homeroom", "fresh", "sophom",
                "6th", "junior", "sixth", "primary", "secondary", "middle", "elementary", "high",
                "ncea", "transition", "certificate", "highers", "national", "varsity"),
               frozenset({"form", "class", "hs", "jr", "jv", "cert", "nat", "11", "eleven", "psat",
                          "prom", "period",
                          *(f"u{n}" for n in range(8, 18)), *(f"u{n}s" for n in range(8, 18)),
                          *(f"y{n}" for n in range(1, 14)),
                          *(f"{k}{n}" for k in "sp" for n in range(1, 8))})),
    "abroad": (("jahr", "anos", "anni", "jaar", "cumpl"),
               frozenset({"ans", "lat", "ar", "ist", "bin", "bist", "ben", "zij", "hij", "werde",
                          "wird", "aura", "aurai", "j'aurai", "compio", "compie", "word", "wordt",
                          "von", "tengo", "tiene", "tenho", "tem", "ho", "ha", "j'ai", "mam", "ma",
                          "jag", "jeg", "ik", "avoir", "d'avoir", "compiuto", "compiuta", "cumplio",
                          "fez", "faz", "geworden", "och", "og", "hon", "hun", "han", "pa"})),
    "adulthood": (("18", "eighteen", *_TEEN_WORDS, "minor", "adult", "legal", "half",
                   "underage", "grown", "enough", "younger"),
                  frozenset({"age", "young", "teen", "teens", *_TEENS})),
    "consent": (("consent", "against", "refus", "agree", "asleep", "slept", "sleep", "drugged",
                 "drink", "unwilling", "forc", "advantage", "ignor", "say", "drunk",
                 "unconscious", "whether", "permission", "coerc", "pressur", "bullied",
                 "blackmail", "manipulat", "guilted", "regardless", "resist", "said", "stop",
                 "drug", "spik", "slip", "wear", "wore", "listen", "leav", "escap"),
                frozenset({"passed", "ask", "asks", "drugs", "rp", "away"})),
}
_RULES = (("school", "school year", "youth", school_year),
          ("abroad", "age under 18 (abroad)", "youth", stated_age_abroad),
          ("adulthood", "adulthood denied", "youth", adulthood_denied),
          ("consent", "consent refused", "violence", consent_refused))


def _by_head(prefixes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The prefixes by their first two letters (every prefix has two or more): a word is
    checked against the few sharing its first two letters, not against all of them."""
    heads: dict[str, list[str]] = {}
    for prefix in prefixes:
        heads.setdefault(prefix[:2], []).append(prefix)
    return {head: tuple(found) for head, found in heads.items()}


_ANY_PREFIX = _by_head(tuple(p for prefixes, _ in _TRIGGERS.values() for p in prefixes))
_ANY_WORD = frozenset(w for _, whole in _TRIGGERS.values() for w in whole)
_KIND_PREFIX = {kind: _by_head(prefixes) for kind, (prefixes, _) in _TRIGGERS.items()}


def _triggered(words: list[str], kind: str) -> bool:
    heads, whole = _KIND_PREFIX[kind].get, _TRIGGERS[kind][1]
    return any(((starts := heads(word[:2])) is not None and word.startswith(starts))
               or word in whole for word in words)


def signals(folded: str) -> Iterator[tuple[str, str, str]]:
    """(term, category, matched) for each kind of signal the text carries."""
    words = _TOKEN.findall(folded)
    heads = _ANY_PREFIX.get
    if not any(((starts := heads(word[:2])) is not None and word.startswith(starts))
               or word in _ANY_WORD for word in words):
        return  # most texts: one pass over the words, no rule runs
    for kind, term, category, rule in _RULES:
        if _triggered(words, kind):
            found = rule(folded)
            if found:
                yield term, category, found
