from kiosk.content.fold import fold, token_spans, tokens


def test_latin_accents_and_case_fold():
    assert fold("Ça Été ÉCOLE naïef") == "ca ete ecole naief"


def test_arabic_harakat_tatweel_and_alef_forms_fold():
    assert fold("التَّأْمِين") == fold("التامين")
    assert fold("إسلام") == fold("اسلام") == fold("آسلام")
    assert fold("كـــتاب") == fold("كتاب")


def test_persian_and_pashto_ya_and_kaf_fold_to_arabic():
    assert fold("کار") == fold("كار")
    assert fold("یی") == fold("يي") == fold("ىى")
    assert fold("ې") == fold("ي")


def test_zero_width_non_joiner_is_ignored():
    assert tokens("می‌خواهم") == tokens("میخواهم")


def test_eastern_digits_become_ascii():
    assert tokens("۲۰۲۶ ٤٤") == ["2026", "44"]


def test_token_spans_point_into_the_original_text():
    text = "Ça va? أَهْلاً"
    spans = list(token_spans(text))
    assert [text[s:e] for _, s, e in spans] == ["Ça", "va", "أَهْلاً"]
    assert spans[2][0] == fold("اهلا")


def test_ethiopic_and_cyrillic_tokenise_on_spaces():
    assert tokens("ናይ ፈቓደኛ ስራሕ።") == ["ናይ", "ፈቓደኛ", "ስራሕ"]
    assert tokens("Волонтерська робота") == ["волонтерська", "робота"]


def test_letters_people_type_without_the_languages_keyboard_fold_to_the_ones_they_type():
    assert fold("ګډ خدمت") == fold("گد خدمت")  # Pashto letters typed on a Persian keyboard
    assert fold("ښځې") == fold("شځې")
    assert fold("harçlığı") == fold("harcligi")  # Turkish dotless i and g with breve


def test_sorani_letters_fold_to_what_an_arabic_or_persian_keyboard_types():
    assert fold("ڕاھێنان") == fold("راهینان")
    assert fold("کۆمەڵگا") == fold("کومەلگا") == fold("كومهلگا")
    assert fold("ڤیزا") == fold("فیزا")


def test_georgian_and_kurmanji_fold_like_any_alphabet():
    assert tokens("ქართული ენა") == ["ქართული", "ენა"]
    assert fold("Kurmancî çêkirin ş û") == "kurmanci cekirin s u"
