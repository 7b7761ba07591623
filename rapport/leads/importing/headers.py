"""Column names lead lists use, by the field they hold: English, Polish, Chinese, Indonesian, and
the headers of Salesforce, HubSpot and Pipedrive exports. Written folded (lower case, no accents, no
punctuation), as `mapping.normalise_header` compares them.
"""

from __future__ import annotations

# fmt: off
SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "firstname", "given name", "forename", "person first name", "contact first name",
        "imie", "imiona", "名", "nama depan",),
    "last_name": ("last name", "lastname", "surname", "family name", "person last name", "contact last name",
        "nazwisko", "姓", "nama belakang",),
    "full_name": ("full name", "name", "person name", "contact name", "contact", "lead name", "person",
        "imie i nazwisko", "osoba", "osoba kontaktowa", "kontakt", "姓名", "聯絡人", "联系人", "nama lengkap",),
    "company": ("company", "company name", "organization", "organisation", "organization name",
        "organisation name", "account", "account name", "business", "business name", "employer", "firma",
        "nazwa firmy", "przedsiebiorstwo", "organizacja", "nazwa", "公司", "公司名稱", "公司名称", "perusahaan",
        "nama perusahaan",),
    "title": ("title", "job title", "person job title", "position", "job", "role", "job role", "designation",
        "stanowisko", "funkcja", "職稱", "职位", "職位", "jabatan",),
    "email": ("email", "e mail", "email address", "e mail address", "person email", "mail", "work email",
        "adres email", "adres e mail", "poczta", "電子郵件", "电子邮件", "郵件", "邮箱",),
    "phone": ("phone", "phone number", "telephone", "tel", "person phone", "work phone", "business phone",
        "telefon", "nr telefonu", "numer telefonu", "tel.", "電話", "电话", "telepon", "nomor telepon",),
    "website": ("website", "web site", "website url", "url", "www", "homepage", "web", "domain",
        "company domain name", "strona", "strona www", "strona internetowa", "witryna", "網站", "网站", "situs web",),
    "industry": ("industry", "sector", "branza", "sektor", "行業", "行业", "industri",),
    "street": ("street", "street address", "address", "address line 1", "address 1", "organization address",
        "mailing street", "ulica", "adres", "ulica i numer", "地址", "alamat",),
    "city": ("city", "town", "mailing city", "miasto", "miejscowosc", "城市", "kota",),
    "postal_code": ("postal code", "zip", "zip code", "postcode", "zip postal code", "mailing zip postal code",
        "kod pocztowy", "kod", "郵遞區號", "邮编", "kode pos",),
    "region": ("region", "state", "province", "county", "state province", "state region", "mailing state province",
        "wojewodztwo", "省", "縣市", "provinsi",),
    "country": ("country", "country region", "country code", "mailing country", "kraj", "panstwo", "國家", "国家",
        "negara",),
    "territory": ("territory", "sales territory", "terytorium", "obszar",),
    "source": ("source", "lead source", "original source", "channel", "source channel", "zrodlo", "kanal",
        "zrodlo leada", "來源", "来源", "sumber",),
    "campaign": ("campaign", "campaign name", "kampania",),
    "status": ("status", "lead status", "stage", "status leada",),
    "need_identified": ("need identified", "has need", "potrzeba zidentyfikowana", "zidentyfikowana potrzeba",),
    "need_description": ("need", "needs", "need description", "what is needed", "lead title", "potrzeba",
        "opis potrzeby",),
    "estimated_value": ("estimated value", "value", "lead value", "deal value", "amount", "budget",
        "potential value", "wartosc", "szacowana wartosc", "kwota", "budzet",),
    "estimated_value_currency": ("currency", "currency code", "lead currency of value", "currency of value",
        "value currency", "waluta",),
    "owner": ("owner", "lead owner", "owner email", "assigned to", "sales rep", "contact owner", "wlasciciel",
        "opiekun", "handlowiec",),
    "description": ("description", "notes", "note", "comments", "comment", "remarks", "opis", "uwagi", "notatki",
        "notatka", "komentarz", "備註", "备注", "catatan", "keterangan",),
    "tags": ("tags", "tag", "labels", "label", "tagi", "etykiety",),
}
#: second choices, used only when no column names the target more plainly
FALLBACKS: dict[str, tuple[str, ...]] = {
    "phone": ("mobile", "mobile phone", "mobile phone number", "cell", "cell phone", "komorka", "tel kom",),
    "street": ("mailing address", "full address",),
}
# fmt: on
