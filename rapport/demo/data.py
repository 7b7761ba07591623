"""Word lists the demo company is made of: places, people and company names per market.

Names keep their diacritics and scripts (Łódź, Müller, 台北) on purpose, so that search, sorting
and exports meet real text. E-mail addresses and web domains are derived with `ascii_slug`.
Phone numbers use the ranges regulators reserve for drama where a country has one (UK, US).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

# --- industries: the English value stored in Account.industry, and words for company names -------

# key → words per name style; "zh" entries are (Chinese, Latin) pairs.
INDUSTRIES: dict[str, dict[str, tuple[str, ...] | tuple[tuple[str, str], ...]]] = {
    "Manufacturing": {
        "pl": ("Zakłady Mechaniczne", "Fabryka Maszyn", "Metalurgia"),
        "de": ("Maschinenbau", "Metallwerke", "Präzisionstechnik"),
        "en": ("Engineering", "Manufacturing", "Machine Works"),
        "id": ("Manufaktur", "Teknik", "Mesin"),
        "zh": (("機械", "Machinery"), ("精密工業", "Precision")),
    },
    "Logistics": {
        "pl": ("Logistyka", "Transport", "Spedycja"),
        "de": ("Logistik", "Spedition", "Transporte"),
        "en": ("Logistics", "Freight", "Distribution"),
        "id": ("Logistik", "Ekspedisi", "Transportasi"),
        "zh": (("物流", "Logistics"), ("運輸", "Transport")),
    },
    "Construction": {
        "pl": ("Budownictwo", "Konstrukcje Stalowe", "Inżynieria"),
        "de": ("Bau", "Hochbau", "Stahlbau"),
        "en": ("Construction", "Builders", "Structures"),
        "id": ("Konstruksi", "Bangun", "Karya Bangunan"),
        "zh": (("營造", "Construction"), ("建設", "Development")),
    },
    "Retail": {
        "pl": ("Handel", "Hurtownia", "Dom Handlowy"),
        "de": ("Handel", "Großhandel", "Warenhaus"),
        "en": ("Retail", "Wholesale", "Stores"),
        "id": ("Dagang", "Niaga", "Grosir"),
        "zh": (("百貨", "Department Stores"), ("貿易", "Trading")),
    },
    "Food & beverage": {
        "pl": ("Piekarnia", "Mleczarnia", "Przetwórstwo Spożywcze"),
        "de": ("Backwaren", "Molkerei", "Feinkost"),
        "en": ("Foods", "Bakeries", "Beverages"),
        "id": ("Pangan", "Makanan", "Minuman"),
        "zh": (("食品", "Foods"), ("茶業", "Tea")),
    },
    "Energy": {
        "pl": ("Energetyka", "Energia", "Ciepłownictwo"),
        "de": ("Energie", "Solartechnik", "Kraftwerke"),
        "en": ("Energy", "Power", "Renewables"),
        "id": ("Energi", "Tenaga Listrik", "Daya"),
        "zh": (("能源", "Energy"), ("電力", "Power")),
    },
    "IT services": {
        "pl": ("Systemy Informatyczne", "Oprogramowanie", "Informatyka"),
        "de": ("Software", "IT-Systeme", "Datentechnik"),
        "en": ("Software", "Systems", "Digital"),
        "id": ("Teknologi Informasi", "Solusi Digital", "Sistem"),
        "zh": (("資訊", "Information"), ("科技", "Technology")),
    },
    "Healthcare": {
        "pl": ("Medycyna", "Centrum Medyczne", "Farmacja"),
        "de": ("Medizintechnik", "Pharma", "Klinikbedarf"),
        "en": ("Healthcare", "Medical", "Pharma"),
        "id": ("Farma", "Medika", "Husada"),
        "zh": (("醫療器材", "Medical"), ("生技", "Biotech")),
    },
    "Chemicals": {
        "pl": ("Chemia", "Tworzywa Sztuczne", "Farby i Lakiery"),
        "de": ("Chemie", "Kunststoffe", "Lacke"),
        "en": ("Chemicals", "Plastics", "Coatings"),
        "id": ("Kimia", "Plastik", "Cat"),
        "zh": (("化學", "Chemical"), ("塑膠", "Plastics")),
    },
    "Electronics": {
        "pl": ("Elektronika", "Elektrotechnika", "Automatyka"),
        "de": ("Elektronik", "Elektrotechnik", "Automation"),
        "en": ("Electronics", "Electrical", "Controls"),
        "id": ("Elektronik", "Listrik", "Otomasi"),
        "zh": (("電子", "Electronics"), ("光電", "Optoelectronics")),
    },
    "Automotive": {
        "pl": ("Motoryzacja", "Części Samochodowe", "Auto Serwis"),
        "de": ("Fahrzeugteile", "Automobil", "Karosseriebau"),
        "en": ("Automotive", "Motors", "Auto Parts"),
        "id": ("Otomotif", "Suku Cadang", "Motor"),
        "zh": (("汽車零件", "Auto Parts"), ("車業", "Motors")),
    },
    "Agriculture": {
        "pl": ("Rolnictwo", "Nasiennictwo", "Agro"),
        "de": ("Agrar", "Landtechnik", "Saatgut"),
        "en": ("Agriculture", "Farms", "Agri"),
        "id": ("Agro", "Perkebunan", "Tani"),
        "zh": (("農產", "Agriculture"), ("茶園", "Tea Gardens")),
    },
    "Telecommunications": {
        "pl": ("Telekomunikacja", "Sieci"),
        "de": ("Telekommunikation", "Netze"),
        "en": ("Telecom", "Networks"),
        "id": ("Telekomunikasi", "Jaringan"),
        "zh": (("電信", "Telecom"), ("通訊", "Communications")),
    },
    "Financial services": {
        "pl": ("Finanse", "Leasing"),
        "de": ("Finanz", "Leasing"),
        "en": ("Finance", "Capital"),
        "id": ("Finansial", "Modal"),
        "zh": (("金融", "Finance"), ("投資", "Investment")),
    },
}
INDUSTRY_NAMES = tuple(INDUSTRIES)

# --- markets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    region: str
    postal_prefix: str
    #: Latin spelling for e-mail domains (Taiwan's cities are stored in Chinese)
    latin: str = ""


@dataclass(frozen=True)
class Market:
    """One sales team's country: where its customers are and what they are called."""

    code: str
    country: str
    team: str
    territory: str
    region: str
    style: str  # name style: pl, de, uk, us, id, tw
    language: str  # the UI language of the team's users
    time_zone: str
    currency: str
    tld: str
    #: share of all accounts this market's team owns
    weight: float
    salespeople: int
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    male_first: tuple[str, ...]
    female_first: tuple[str, ...]
    surnames: tuple[str, ...]
    titles: tuple[str, ...]


PL_CITIES = (
    City("Warszawa", "mazowieckie", "0"),
    City("Kraków", "małopolskie", "3"),
    City("Łódź", "łódzkie", "9"),
    City("Wrocław", "dolnośląskie", "5"),
    City("Poznań", "wielkopolskie", "6"),
    City("Gdańsk", "pomorskie", "80"),
    City("Szczecin", "zachodniopomorskie", "7"),
    City("Katowice", "śląskie", "40"),
    City("Lublin", "lubelskie", "20"),
    City("Białystok", "podlaskie", "15"),
    City("Bydgoszcz", "kujawsko-pomorskie", "85"),
    City("Rzeszów", "podkarpackie", "35"),
    City("Toruń", "kujawsko-pomorskie", "87"),
    City("Gliwice", "śląskie", "44"),
    City("Częstochowa", "śląskie", "42"),
    City("Zielona Góra", "lubuskie", "65"),
    City("Opole", "opolskie", "45"),
    City("Bielsko-Biała", "śląskie", "43"),
)
DE_CITIES = (
    City("Berlin", "Berlin", "1"),
    City("Hamburg", "Hamburg", "2"),
    City("München", "Bayern", "8"),
    City("Köln", "Nordrhein-Westfalen", "50"),
    City("Frankfurt am Main", "Hessen", "60"),
    City("Stuttgart", "Baden-Württemberg", "70"),
    City("Düsseldorf", "Nordrhein-Westfalen", "40"),
    City("Nürnberg", "Bayern", "90"),
    City("Lübeck", "Schleswig-Holstein", "23"),
    City("Göttingen", "Niedersachsen", "37"),
    City("Würzburg", "Bayern", "97"),
    City("Saarbrücken", "Saarland", "66"),
    City("Dresden", "Sachsen", "01"),
    City("Bremen", "Bremen", "28"),
)
UK_CITIES = (
    City("London", "England", "EC"),
    City("Manchester", "England", "M"),
    City("Birmingham", "England", "B"),
    City("Leeds", "England", "LS"),
    City("Bristol", "England", "BS"),
    City("Newcastle upon Tyne", "England", "NE"),
    City("Sheffield", "England", "S"),
    City("Glasgow", "Scotland", "G"),
    City("Edinburgh", "Scotland", "EH"),
    City("Cardiff", "Wales", "CF"),
    City("Belfast", "Northern Ireland", "BT"),
)
US_EAST_CITIES = (
    City("New York", "NY", "100"),
    City("Boston", "MA", "021"),
    City("Philadelphia", "PA", "191"),
    City("Pittsburgh", "PA", "152"),
    City("Atlanta", "GA", "303"),
    City("Miami", "FL", "331"),
    City("Charlotte", "NC", "282"),
    City("Raleigh", "NC", "276"),
    City("Baltimore", "MD", "212"),
    City("Newark", "NJ", "071"),
)
US_WEST_CITIES = (
    City("San Francisco", "CA", "941"),
    City("Los Angeles", "CA", "900"),
    City("San Diego", "CA", "921"),
    City("San José", "CA", "951"),
    City("Seattle", "WA", "981"),
    City("Portland", "OR", "972"),
    City("Denver", "CO", "802"),
    City("Phoenix", "AZ", "850"),
    City("Salt Lake City", "UT", "841"),
    City("Las Vegas", "NV", "891"),
)
ID_CITIES = (
    City("Jakarta", "DKI Jakarta", "10"),
    City("Surabaya", "Jawa Timur", "60"),
    City("Bandung", "Jawa Barat", "40"),
    City("Medan", "Sumatera Utara", "20"),
    City("Semarang", "Jawa Tengah", "50"),
    City("Makassar", "Sulawesi Selatan", "90"),
    City("Yogyakarta", "DI Yogyakarta", "55"),
    City("Denpasar", "Bali", "80"),
    City("Palembang", "Sumatera Selatan", "30"),
    City("Balikpapan", "Kalimantan Timur", "76"),
    City("Malang", "Jawa Timur", "65"),
    City("Bekasi", "Jawa Barat", "17"),
)
TW_CITIES = (
    City("台北", "台北市", "1", "taipei"),
    City("新北", "新北市", "2", "newtaipei"),
    City("桃園", "桃園市", "3", "taoyuan"),
    City("新竹", "新竹市", "30", "hsinchu"),
    City("台中", "台中市", "4", "taichung"),
    City("彰化", "彰化縣", "50", "changhua"),
    City("嘉義", "嘉義市", "60", "chiayi"),
    City("台南", "台南市", "7", "tainan"),
    City("高雄", "高雄市", "8", "kaohsiung"),
    City("基隆", "基隆市", "20", "keelung"),
)

PL_SURNAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
    "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Wojciechowski", "Kwiatkowski",
    "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając", "Pawłowski", "Michalski", "Król",
    "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski", "Majewski", "Olszewski", "Stępień", "Malinowski",
    "Jaworski", "Adamczyk", "Dudek", "Nowicki", "Pietrzak", "Wróblewski", "Górski", "Łuczak", "Żak",
    "Sołtys", "Błaszczyk", "Ślusarczyk", "Gołębiowski", "Przybylski", "Chmielewski", "Żurawski",
)  # fmt: skip
DE_SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
    "Köhler", "Groß", "Jäger", "Weiß", "Böhm", "Günther", "Förster", "Mößner", "Kühn", "Schütz",
)  # fmt: skip
EN_SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Patel", "Khan", "Lewis", "Harrison", "O'Brien", "McDonald", "Murphy", "Hughes", "Edwards", "Turner",
    "Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson", "Thomas", "Moore", "Martin", "Lee",
    "Perez", "Nguyen", "Kim", "Ramirez", "Campbell", "Parker", "Collins", "Stewart", "Morris", "Reyes",
)  # fmt: skip
ID_SURNAMES = (
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Setiawan", "Pratama", "Kusuma", "Nugroho", "Halim",
    "Gunawan", "Susanto", "Wibowo", "Siregar", "Nasution", "Simanjuntak", "Harahap", "Lubis", "Sitompul",
    "Tanjung", "Purnomo", "Sutanto", "Hartono", "Rahman", "Siswanto", "Putri", "Lestari", "Wulandari",
)  # fmt: skip
# Taiwanese surnames and given names: (Chinese, Latin) pairs; people are stored either way.
TW_SURNAMES = (
    ("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Lee"), ("王", "Wang"),
    ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang"), ("許", "Hsu"), ("鄭", "Cheng"),
    ("謝", "Hsieh"), ("郭", "Kuo"), ("洪", "Hung"), ("曾", "Tseng"), ("邱", "Chiu"), ("廖", "Liao"),
)  # fmt: skip
TW_MALE = (
    ("志明", "Chih-ming"), ("家豪", "Chia-hao"), ("俊傑", "Chun-chieh"), ("建宏", "Chien-hung"),
    ("宗翰", "Tsung-han"), ("冠宇", "Kuan-yu"), ("承恩", "Cheng-en"), ("柏翰", "Po-han"), ("彥廷", "Yen-ting"),
)  # fmt: skip
TW_FEMALE = (
    ("淑芬", "Shu-fen"), ("怡君", "Yi-chun"), ("雅婷", "Ya-ting"), ("美玲", "Mei-ling"), ("詩涵", "Shih-han"),
    ("佩珊", "Pei-shan"), ("欣怡", "Hsin-yi"), ("宜蓁", "Yi-chen"), ("郁婷", "Yu-ting"),
)  # fmt: skip

EN_TITLES = (
    "Chief Executive Officer", "Managing Director", "Head of Procurement", "Purchasing Manager", "Buyer",
    "Chief Financial Officer", "Finance Director", "Operations Manager", "IT Manager", "Office Manager",
    "Plant Manager", "Chief Technology Officer", "Sales Director", "Project Engineer", "Category Manager",
)  # fmt: skip

# fmt: off
MARKETS: tuple[Market, ...] = (
    Market(
        code="pl",
        country="Poland",
        team="Poland",
        territory="Poland",
        region="EMEA",
        style="pl",
        language="pl",
        time_zone="Europe/Warsaw",
        currency="PLN",
        tld="pl",
        weight=0.10,
        salespeople=3,
        cities=PL_CITIES,
        streets=(
            "ul. Piotrkowska", "ul. Marszałkowska", "al. Jerozolimskie", "ul. Długa", "ul. Świętokrzyska",
            "ul. Żeromskiego", "ul. Kościuszki", "ul. Mickiewicza", "ul. Słowackiego", "ul. Łąkowa",
            "ul. Przemysłowa", "ul. Fabryczna", "al. Solidarności", "ul. Źródlana",
        ),
        male_first=(
            "Łukasz", "Paweł", "Wojciech", "Grzegorz", "Michał", "Krzysztof", "Piotr", "Tomasz", "Jędrzej",
            "Marek", "Andrzej", "Mikołaj", "Bartłomiej", "Maciej", "Rafał", "Józef",
        ),
        female_first=(
            "Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Zofia", "Bożena", "Żaneta", "Ewa", "Anna",
            "Magdalena", "Beata", "Grażyna", "Urszula", "Jolanta", "Dorota", "Aleksandra",
        ),
        surnames=PL_SURNAMES,
        titles=(
            "Prezes Zarządu", "Dyrektor Handlowy", "Kierownik Zakupów", "Specjalista ds. Zakupów",
            "Dyrektor Finansowy", "Kierownik Produkcji", "Kierownik IT", "Główny Księgowy", "Inżynier Procesu",
            "Członek Zarządu", "Dyrektor Operacyjny",
        ),
    ),
    Market(
        code="de",
        country="Germany",
        team="Germany",
        territory="Germany",
        region="EMEA",
        style="de",
        language="en",
        time_zone="Europe/Berlin",
        currency="EUR",
        tld="de",
        weight=0.16,
        salespeople=4,
        cities=DE_CITIES,
        streets=(
            "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Königsallee", "Müllerstraße",
            "Industriestraße", "Gartenstraße", "Lindenstraße", "Am Großmarkt", "Schloßstraße",
        ),
        male_first=(
            "Jürgen", "Jörg", "Björn", "Günter", "Sören", "Hans", "Uwe", "Lukas", "Maximilian", "Stefan",
            "Thomas", "Matthias", "Tobias", "Florian",
        ),
        female_first=(
            "Lena", "Anja", "Käthe", "Sabine", "Kerstin", "Sophie", "Leonie", "Claudia", "Birgit",
            "Ulrike", "Hannah", "Marie", "Annika",
        ),
        surnames=DE_SURNAMES,
        titles=(
            "Geschäftsführer", "Einkaufsleiter", "Leiterin Einkauf", "Einkäufer", "Finanzvorstand",
            "Technischer Leiter", "Leiter IT", "Werkleiter", "Prokurist", "Vertriebsleiterin",
        ),
    ),
    Market(
        code="uk",
        country="United Kingdom",
        team="United Kingdom",
        territory="United Kingdom",
        region="EMEA",
        style="uk",
        language="en",
        time_zone="Europe/London",
        currency="GBP",
        tld="co.uk",
        weight=0.14,
        salespeople=3,
        cities=UK_CITIES,
        streets=(
            "High Street", "Station Road", "Church Lane", "Victoria Road", "King Street", "Mill Lane",
            "Queen's Road", "Park Avenue", "Castle Street", "London Road",
        ),
        male_first=("Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William", "Rhys", "Callum"),
        female_first=("Olivia", "Amelia", "Isla", "Emily", "Sophie", "Chloë", "Niamh", "Siobhán", "Grace", "Ruby"),
        surnames=EN_SURNAMES[:30],
        titles=EN_TITLES,
    ),
    Market(
        code="us-east",
        country="United States",
        team="US East",
        territory="US East",
        region="Americas",
        style="us",
        language="en",
        time_zone="America/New_York",
        currency="USD",
        tld="com",
        weight=0.18,
        salespeople=4,
        cities=US_EAST_CITIES,
        streets=("Main Street", "Market Street", "Broadway", "Oak Avenue", "5th Avenue", "Elm Street", "Pine Street"),
        male_first=("James", "Michael", "Robert", "David", "John", "Daniel", "Matthew", "José", "Anthony", "Kevin"),
        female_first=("Mary", "Jennifer", "Linda", "Sarah", "Jessica", "Ashley", "Emily", "María", "Zoë", "Renée"),
        surnames=EN_SURNAMES[20:],
        titles=EN_TITLES,
    ),
    Market(
        code="us-west",
        country="United States",
        team="US West",
        territory="US West",
        region="Americas",
        style="us",
        language="en",
        time_zone="America/Los_Angeles",
        currency="USD",
        tld="com",
        weight=0.14,
        salespeople=3,
        cities=US_WEST_CITIES,
        streets=("Mission Street", "Sunset Boulevard", "Pacific Avenue", "Pike Street", "Colfax Avenue", "Cedar Way"),
        male_first=("Ethan", "Noah", "Liam", "Mason", "Lucas", "Diego", "Ryan", "Tyler", "Andrés", "Kai"),
        female_first=("Ava", "Mia", "Harper", "Madison", "Chloe", "Sofía", "Hailey", "Aria", "Leilani", "Noémie"),
        surnames=EN_SURNAMES[25:],
        titles=EN_TITLES,
    ),
    Market(
        code="id",
        country="Indonesia",
        team="Indonesia",
        territory="Indonesia",
        region="APAC",
        style="id",
        language="en",
        time_zone="Asia/Jakarta",
        currency="IDR",
        tld="co.id",
        weight=0.14,
        salespeople=3,
        cities=ID_CITIES,
        streets=(
            "Jl. Jenderal Sudirman", "Jl. M.H. Thamrin", "Jl. Gatot Subroto", "Jl. Diponegoro", "Jl. Pemuda",
            "Jl. Ahmad Yani", "Jl. Gajah Mada", "Jl. Hayam Wuruk", "Jl. Asia Afrika",
        ),
        male_first=(
            "Budi", "Agus", "Rizky", "Ahmad", "Wahyu", "Andi", "Eko", "Hendra", "Joko", "Bambang", "Yusuf",
            "Made", "Wayan", "Dimas",
        ),
        female_first=(
            "Siti", "Dewi", "Putri", "Sri", "Nur", "Fitri", "Indah", "Ayu", "Dian", "Rina", "Ketut", "Ratna",
            "Kartika",
        ),
        surnames=ID_SURNAMES,
        titles=(
            "Direktur Utama", "Manajer Pembelian", "Staf Pengadaan", "Direktur Keuangan", "Manajer Operasional",
            "Kepala IT", "Manajer Pabrik", "General Manager", "Procurement Manager",
        ),
    ),
    Market(
        code="tw",
        country="Taiwan",
        team="Taiwan",
        territory="Taiwan",
        region="APAC",
        style="tw",
        language="en",
        time_zone="Asia/Taipei",
        currency="TWD",
        tld="com.tw",
        weight=0.14,
        salespeople=3,
        cities=TW_CITIES,
        streets=("忠孝東路", "中山北路", "信義路", "仁愛路", "民生東路", "復興南路", "中正路", "科學園區路"),
        # Latin given names for the team's own users and Latin-spelled contacts.
        male_first=tuple(latin for _zh, latin in TW_MALE),
        female_first=tuple(latin for _zh, latin in TW_FEMALE),
        surnames=tuple(latin for _zh, latin in TW_SURNAMES),
        titles=("總經理", "採購經理", "財務長", "廠長", "資訊主管", "業務經理", "工程師", "董事長特助"),
    ),
)
# fmt: on

REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("EMEA", ("Poland", "Germany", "United Kingdom")),
    ("Americas", ("United States",)),
    ("APAC", ("Indonesia", "Taiwan")),
)
#: areas below a country territory: US East / US West sit under United States
TERRITORY_AREAS: dict[str, tuple[str, ...]] = {"United States": ("US East", "US West")}

# --- company names ------------------------------------------------------------------------------------

PL_BRAND_HEADS = (
    "Pol", "Bud", "Elek", "Mar", "Tech", "Agro", "Trans", "Euro", "Inter", "Meta", "Chem", "Drew", "Stal",
    "Bał", "Wisł", "Mazow", "Śląs", "Łód", "Krak", "Żyw", "Wars", "Gdań", "Odr", "Tatr",
)  # fmt: skip
PL_BRAND_TAILS = (
    "mex",
    "pol",
    "bud",
    "tech",
    "trans",
    "mar",
    "ex",
    "plast",
    "med",
    "soft",
    "sys",
    "chem",
    "lab",
    "gaz",
)
DE_BRAND_HEADS = (
    "Nord", "Süd", "Rhein", "Elb", "Alpen", "Hansa", "Isar", "Main", "Weser", "Ostsee", "Harz", "Mosel",
    "Spree", "Bodensee",
)  # fmt: skip
DE_BRAND_TAILS = ("tec", "werk", "tronik", "plast", "bau", "log", "med", "form", "glas", "stahl")
EN_WORD_HEADS = (
    "North", "South", "West", "East", "Ash", "Oak", "Elm", "Stone", "Bridge", "River", "Kings", "Queens",
    "Fair", "Green", "High", "Brook", "Mill", "Castle", "Harbour", "Summit", "Pioneer", "Liberty", "Golden",
    "Silver", "Red", "Blue", "Iron", "Cedar", "Maple", "Granite",
)  # fmt: skip
EN_WORD_TAILS = ("gate", "field", "wood", "ford", "ley", "ton", "wick", "worth", "bridge", "dale", "view", "point")
ID_WORDS = (
    "Sinar", "Maju", "Jaya", "Abadi", "Sentosa", "Makmur", "Sejahtera", "Mandiri", "Karya", "Bumi", "Cahaya",
    "Nusantara", "Indah", "Mulia", "Perkasa", "Utama", "Bersama", "Gemilang", "Lestari", "Prima", "Sukses",
    "Harapan", "Samudra", "Mitra", "Tunggal", "Agung", "Citra", "Dharma",
)  # fmt: skip
TW_BRANDS = (
    ("宏昇", "Hongsheng"), ("台光", "Taiguang"), ("永豐", "Yungfeng"), ("聯鼎", "Lianding"), ("長益", "Changyi"),
    ("金泰", "Chintai"), ("順達", "Shunda"), ("佳和", "Chiaho"), ("信元", "Hsinyuan"), ("嘉興", "Chiahsing"),
    ("新陽", "Hsinyang"), ("瑞昌", "Juichang"), ("德鴻", "Tehung"), ("富邦", "Fupang"), ("晶華", "Chinghua"),
    ("建豐", "Chienfeng"), ("和泰", "Hotai"), ("立成", "Licheng"),
)  # fmt: skip

LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "pl": ("Sp. z o.o.", "Sp. z o.o.", "S.A.", "sp.j.", ""),
    "de": ("GmbH", "GmbH", "AG", "GmbH & Co. KG", "KG"),
    "uk": ("Ltd", "Ltd", "plc", "LLP"),
    "us": ("Inc.", "LLC", "Corp.", "Co."),
    "id": ("PT", "PT", "PT", "CV"),
    "tw": ("股份有限公司", "有限公司"),
}
GROUP_WORDS: dict[str, str] = {
    "pl": "Grupa {brand}",
    "de": "{brand} Gruppe",
    "uk": "{brand} Group",
    "us": "{brand} Holdings",
    "id": "{brand} Group",
    "tw": "{brand}集團",
}
# Public-sector customers; {city} is the city where the account sits.
PUBLIC_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "pl": (
        ("Gmina Miejska {city}", "Public administration"),
        ("Miejskie Przedsiębiorstwo Komunikacyjne {city}", "Logistics"),
        ("Wojewódzki Szpital Specjalistyczny {city}", "Healthcare"),
        ("Politechnika {city}", "Education"),
    ),
    "de": (
        ("Stadtwerke {city}", "Energy"),
        ("Stadt {city}", "Public administration"),
        ("Universitätsklinikum {city}", "Healthcare"),
    ),
    "uk": (
        ("{city} City Council", "Public administration"),
        ("{city} NHS Foundation Trust", "Healthcare"),
        ("University of {city}", "Education"),
    ),
    "us": (
        ("City of {city}", "Public administration"),
        ("{city} Public Schools", "Education"),
        ("{city} Transit Authority", "Logistics"),
    ),
    "id": (
        ("Pemerintah Kota {city}", "Public administration"),
        ("RSUD {city}", "Healthcare"),
        ("Universitas Negeri {city}", "Education"),
    ),
    "tw": (
        ("{city}市政府", "Public administration"),
        ("{city}捷運公司", "Logistics"),
        ("國立{city}大學", "Education"),
    ),
}
#: how a subsidiary abroad is named after the country it is in
COUNTRY_IN_NAMES: dict[str, str] = {
    "pl": "Polska",
    "de": "Deutschland",
    "uk": "UK",
    "us": "USA",
    "id": "Indonesia",
    "tw": "台灣",
}

DESCRIPTIONS = (
    "Framework agreement renewed every year in Q4.",
    "Prefers quotes in the local currency; payment terms 30 days.",
    "Visited the plant last spring; interested in the service contract.",
    "Central purchasing; every order above 50k goes to the board.",
    "Met at the trade fair; asked for references in their industry.",
    "Long-standing customer; two sites, one decision maker.",
)

# --- helpers -----------------------------------------------------------------------------------------

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d"})


@functools.lru_cache(maxsize=65_536)
def ascii_slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII letters and digits of `text` ("Łódź Stal" → "lodzstal"); for e-mail and domains."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    kept = []
    for char in folded:
        if char.isascii() and char.isalnum():
            kept.append(char.lower())
        elif char in " -&/." and separator and kept and kept[-1] != separator:
            kept.append(separator)
    return "".join(kept).strip(separator)


def feminine(surname: str) -> str:
    """Polish surnames ending -ski/-cki/-dzki take -ska/-cka/-dzka for women."""
    return surname[:-1] + "a" if surname.endswith(("ski", "cki", "dzki")) else surname
