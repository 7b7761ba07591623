# ruff: noqa: RUF001  (full-width punctuation is right in Chinese text)
"""What the customer reads — the quote's e-mail and its online page — in the quote's language.

A quote is written in English, Polish, Indonesian or Traditional Chinese whatever languages the
UI speaks, so these words are kept here per language rather than in the UI's gettext catalogues.
The PDF's labels are in `rapport.quotes.pdf.labels`; the page reuses them for the table.
"""

from __future__ import annotations

EMAIL: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Quote {number} from {company}",
        "greeting": "Dear {name},",
        "greeting_anonymous": "Hello,",
        "intro": "Please find attached our quote {number}, valid until {day}.",
        "link": "You can read it and accept or reject it online:",
        "closing": "Kind regards,",
    },
    "pl": {
        "subject": "Oferta {number} od {company}",
        "greeting": "Dzień dobry {name},",
        "greeting_anonymous": "Dzień dobry,",
        "intro": "w załączeniu przesyłamy ofertę {number}, ważną do {day}.",
        "link": "Ofertę można przeczytać oraz przyjąć lub odrzucić online:",
        "closing": "Z poważaniem",
    },
    "id": {
        "subject": "Penawaran {number} dari {company}",
        "greeting": "Yth. {name},",
        "greeting_anonymous": "Dengan hormat,",
        "intro": "Terlampir penawaran kami {number}, berlaku hingga {day}.",
        "link": "Anda dapat membacanya serta menerima atau menolaknya secara daring:",
        "closing": "Salam hormat,",
    },
    "zh-hant": {
        "subject": "{company} 報價單 {number}",
        "greeting": "{name} 您好：",
        "greeting_anonymous": "您好：",
        "intro": "附件為我們的報價單 {number}，有效期限至 {day}。",
        "link": "您可以在線上閱讀並接受或拒絕此報價：",
        "closing": "敬祝 商祺",
    },
}

PAGE: dict[str, dict[str, str]] = {
    "en": {
        "title": "Quote {number}",
        "from": "from {company}",
        "valid_until": "Valid until {day}",
        "download": "Download the PDF",
        "answer": "Your answer",
        "name": "Your name",
        "note": "A note for us (optional)",
        "accept": "Accept the quote",
        "reject": "Reject the quote",
        "confirm_reject": "Reject this quote?",
        "accepted": "{name} accepted this quote on {day}. Thank you!",
        "rejected": "{name} rejected this quote on {day}. Thank you for letting us know.",
        "closed": "This offer is closed: it expired or was replaced by a newer version. Please contact us.",
        "not_found": "This link is not valid. Check the address in the e-mail, or contact us.",
        "name_required": "Type your name.",
        "name_too_long": "Your name may be at most 200 characters.",
        "no_longer": "This offer can no longer be answered.",
    },
    "pl": {
        "title": "Oferta {number}",
        "from": "od {company}",
        "valid_until": "Ważna do {day}",
        "download": "Pobierz PDF",
        "answer": "Państwa odpowiedź",
        "name": "Imię i nazwisko",
        "note": "Uwagi (opcjonalnie)",
        "accept": "Przyjmuję ofertę",
        "reject": "Odrzucam ofertę",
        "confirm_reject": "Odrzucić tę ofertę?",
        "accepted": "{name} przyjął(-ęła) tę ofertę {day}. Dziękujemy!",
        "rejected": "{name} odrzucił(a) tę ofertę {day}. Dziękujemy za informację.",
        "closed": "Ta oferta jest już nieaktualna: wygasła lub zastąpiła ją nowsza wersja. Prosimy o kontakt.",
        "not_found": "Ten link jest nieprawidłowy. Prosimy sprawdzić adres w wiadomości lub skontaktować się z nami.",
        "name_required": "Prosimy wpisać imię i nazwisko.",
        "name_too_long": "Imię i nazwisko może mieć najwyżej 200 znaków.",
        "no_longer": "Na tę ofertę nie można już odpowiedzieć.",
    },
    "id": {
        "title": "Penawaran {number}",
        "from": "dari {company}",
        "valid_until": "Berlaku hingga {day}",
        "download": "Unduh PDF",
        "answer": "Jawaban Anda",
        "name": "Nama Anda",
        "note": "Catatan untuk kami (opsional)",
        "accept": "Terima penawaran",
        "reject": "Tolak penawaran",
        "confirm_reject": "Tolak penawaran ini?",
        "accepted": "{name} menerima penawaran ini pada {day}. Terima kasih!",
        "rejected": "{name} menolak penawaran ini pada {day}. Terima kasih atas kabarnya.",
        "closed": "Penawaran ini sudah ditutup: telah kedaluwarsa atau diganti versi yang lebih baru. Silakan hubungi kami.",
        "not_found": "Tautan ini tidak valid. Periksa alamat di email, atau hubungi kami.",
        "name_required": "Ketik nama Anda.",
        "name_too_long": "Nama paling banyak 200 karakter.",
        "no_longer": "Penawaran ini tidak dapat dijawab lagi.",
    },
    "zh-hant": {
        "title": "報價單 {number}",
        "from": "{company}",
        "valid_until": "有效期限至 {day}",
        "download": "下載 PDF",
        "answer": "您的回覆",
        "name": "您的姓名",
        "note": "給我們的備註（選填）",
        "accept": "接受報價",
        "reject": "拒絕報價",
        "confirm_reject": "確定要拒絕此報價嗎？",
        "accepted": "{name} 已於 {day} 接受此報價。謝謝！",
        "rejected": "{name} 已於 {day} 拒絕此報價。感謝您的告知。",
        "closed": "此報價已失效：已過期或已由新版本取代。請與我們聯絡。",
        "not_found": "此連結無效。請檢查電子郵件中的網址，或與我們聯絡。",
        "name_required": "請輸入您的姓名。",
        "name_too_long": "姓名請勿超過 200 個字元。",
        "no_longer": "此報價已無法再回覆。",
    },
}


def email_words(language: str) -> dict[str, str]:
    return EMAIL.get(language, EMAIL["en"])


def page_words(language: str) -> dict[str, str]:
    return PAGE.get(language, PAGE["en"])
