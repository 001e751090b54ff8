"""The screen texts the kiosk needs. The source language must have all of them; translations may lag."""

REQUIRED_UI_KEYS = frozenset(
    {
        "app_title", "choose_language", "home", "back", "language", "text_size", "contrast", "search",
        "search_hint", "search_no_results", "search_results", "questions_count", "in_short", "full_answer",
        "sources", "last_checked", "machine_translation", "fallback_language", "related_questions",
        "for_residents", "for_organisations", "still_there", "reset_countdown", "still_here", "start_over",
        "listen", "stop", "slower", "no_voice", "keyboard_space", "keyboard_delete", "keyboard_clear",
        "ask_staff", "guide_updated", "update_checking", "update_refused", "usb_done", "search_more",
        "keyboard_hide", "keyboard_show",
    }
)  # fmt: skip
