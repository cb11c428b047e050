//! The demo shop's reference data: countries with names, cities and time
//! zones, and a coffee-and-tea catalogue. Addresses use reserved example
//! domains so that no demo email can ever reach a real person.

/// A country the demo shop sells to.
pub struct Country {
    pub code: &'static str,
    pub language: &'static str,
    pub phone_prefix: &'static str,
    /// Relative share of the customer base.
    pub weight: u32,
    /// (city, region, postal code pattern, IANA time zone); `#` in the
    /// pattern is a digit, `A` a letter.
    pub cities: &'static [(&'static str, &'static str, &'static str, &'static str)],
    pub female: &'static [&'static str],
    pub male: &'static [&'static str],
    pub last: &'static [&'static str],
}

pub const COUNTRIES: &[Country] = &[
    Country {
        code: "DE",
        language: "de",
        phone_prefix: "+49 ",
        weight: 26,
        cities: &[
            ("Berlin", "Berlin", "1####", "Europe/Berlin"),
            ("Hamburg", "Hamburg", "2####", "Europe/Berlin"),
            ("München", "Bayern", "8####", "Europe/Berlin"),
            ("Köln", "Nordrhein-Westfalen", "5####", "Europe/Berlin"),
            ("Leipzig", "Sachsen", "04###", "Europe/Berlin"),
            (
                "Freiburg im Breisgau",
                "Baden-Württemberg",
                "79###",
                "Europe/Berlin",
            ),
        ],
        female: &[
            "Anna", "Lena", "Julia", "Sophie", "Hannah", "Marie", "Laura", "Katrin", "Jana",
            "Sabine", "Ute", "Mia",
        ],
        male: &[
            "Lukas",
            "Jonas",
            "Felix",
            "Maximilian",
            "Tobias",
            "Stefan",
            "Jürgen",
            "Paul",
            "Leon",
            "Matthias",
            "Uwe",
            "Jan",
        ],
        last: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
            "Schröder",
            "Neumann",
            "Zimmermann",
            "Krüger",
        ],
    },
    Country {
        code: "US",
        language: "en",
        phone_prefix: "+1 ",
        weight: 22,
        cities: &[
            ("New York", "NY", "100##", "America/New_York"),
            ("Portland", "OR", "972##", "America/Los_Angeles"),
            ("Chicago", "IL", "606##", "America/Chicago"),
            ("Austin", "TX", "787##", "America/Chicago"),
            ("Seattle", "WA", "981##", "America/Los_Angeles"),
            ("Boston", "MA", "021##", "America/New_York"),
            ("Denver", "CO", "802##", "America/Denver"),
        ],
        female: &[
            "Emily", "Sarah", "Jessica", "Ashley", "Olivia", "Madison", "Megan", "Rachel",
            "Lauren", "Grace", "Chloe", "Abigail",
        ],
        male: &[
            "Michael", "James", "David", "Daniel", "Ryan", "Tyler", "Brandon", "Justin", "Kevin",
            "Ethan", "Noah", "Jacob",
        ],
        last: &[
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Garcia",
            "Miller",
            "Davis",
            "Rodriguez",
            "Martinez",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Lee",
            "Harris",
        ],
    },
    Country {
        code: "GB",
        language: "en",
        phone_prefix: "+44 ",
        weight: 14,
        cities: &[
            ("London", "England", "AA# #AA", "Europe/London"),
            ("Manchester", "England", "M## #AA", "Europe/London"),
            ("Edinburgh", "Scotland", "EH# #AA", "Europe/London"),
            ("Bristol", "England", "BS# #AA", "Europe/London"),
            ("Cardiff", "Wales", "CF## #AA", "Europe/London"),
        ],
        female: &[
            "Olivia",
            "Amelia",
            "Isla",
            "Emily",
            "Poppy",
            "Charlotte",
            "Sophie",
            "Eleanor",
            "Harriet",
            "Freya",
        ],
        male: &[
            "Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "William", "Alfie", "Oscar",
            "Rory",
        ],
        last: &[
            "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
            "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood",
        ],
    },
    Country {
        code: "FR",
        language: "fr",
        phone_prefix: "+33 ",
        weight: 12,
        cities: &[
            ("Paris", "Île-de-France", "750##", "Europe/Paris"),
            ("Lyon", "Auvergne-Rhône-Alpes", "6900#", "Europe/Paris"),
            (
                "Marseille",
                "Provence-Alpes-Côte d'Azur",
                "130##",
                "Europe/Paris",
            ),
            ("Bordeaux", "Nouvelle-Aquitaine", "330##", "Europe/Paris"),
            ("Nantes", "Pays de la Loire", "440##", "Europe/Paris"),
        ],
        female: &[
            "Camille", "Léa", "Manon", "Chloé", "Inès", "Élodie", "Margaux", "Zoé", "Céline",
            "Amélie",
        ],
        male: &[
            "Lucas", "Hugo", "Théo", "Louis", "Gabriel", "Mathéo", "Antoine", "Julien", "Étienne",
            "Nicolas",
        ],
        last: &[
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Lefèvre", "Girard", "Fontaine", "Mercier",
        ],
    },
    Country {
        code: "NL",
        language: "nl",
        phone_prefix: "+31 ",
        weight: 6,
        cities: &[
            ("Amsterdam", "Noord-Holland", "10## AA", "Europe/Amsterdam"),
            ("Utrecht", "Utrecht", "35## AA", "Europe/Amsterdam"),
            ("Rotterdam", "Zuid-Holland", "30## AA", "Europe/Amsterdam"),
        ],
        female: &[
            "Emma", "Sanne", "Fleur", "Lotte", "Anouk", "Femke", "Iris", "Noor",
        ],
        male: &[
            "Daan", "Sem", "Bram", "Thijs", "Ruben", "Joris", "Pieter", "Lars",
        ],
        last: &[
            "de Jong",
            "Jansen",
            "de Vries",
            "van den Berg",
            "van Dijk",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
            "Mulder",
            "Bos",
        ],
    },
    Country {
        code: "ES",
        language: "es",
        phone_prefix: "+34 ",
        weight: 6,
        cities: &[
            ("Madrid", "Comunidad de Madrid", "280##", "Europe/Madrid"),
            ("Barcelona", "Cataluña", "080##", "Europe/Madrid"),
            ("Valencia", "Comunidad Valenciana", "460##", "Europe/Madrid"),
            ("Las Palmas", "Canarias", "350##", "Atlantic/Canary"),
        ],
        female: &[
            "Lucía", "María", "Paula", "Sofía", "Carmen", "Alba", "Marta", "Elena",
        ],
        male: &[
            "Hugo",
            "Pablo",
            "Álvaro",
            "Javier",
            "Sergio",
            "Diego",
            "Alejandro",
            "Mateo",
        ],
        last: &[
            "García",
            "Fernández",
            "González",
            "Rodríguez",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Ruiz",
            "Jiménez",
            "Moreno",
        ],
    },
    Country {
        code: "SE",
        language: "sv",
        phone_prefix: "+46 ",
        weight: 4,
        cities: &[
            ("Stockholm", "Stockholms län", "1## ##", "Europe/Stockholm"),
            (
                "Göteborg",
                "Västra Götalands län",
                "4## ##",
                "Europe/Stockholm",
            ),
            ("Malmö", "Skåne län", "2## ##", "Europe/Stockholm"),
        ],
        female: &[
            "Elsa", "Astrid", "Maja", "Ebba", "Saga", "Linnea", "Ingrid", "Wilma",
        ],
        male: &[
            "Erik", "Lars", "Oskar", "Axel", "Nils", "Gustav", "Anders", "Hugo",
        ],
        last: &[
            "Andersson",
            "Johansson",
            "Karlsson",
            "Nilsson",
            "Eriksson",
            "Larsson",
            "Olsson",
            "Persson",
            "Svensson",
            "Lindqvist",
            "Berg",
            "Åberg",
        ],
    },
    Country {
        code: "CA",
        language: "en",
        phone_prefix: "+1 ",
        weight: 5,
        cities: &[
            ("Toronto", "ON", "M#A #A#", "America/Toronto"),
            ("Vancouver", "BC", "V#A #A#", "America/Vancouver"),
            ("Montréal", "QC", "H#A #A#", "America/Toronto"),
        ],
        female: &[
            "Emma",
            "Charlotte",
            "Amélie",
            "Maya",
            "Hannah",
            "Léa",
            "Ava",
            "Zoe",
        ],
        male: &[
            "Liam", "Nathan", "William", "Félix", "Owen", "Samuel", "Logan", "Benjamin",
        ],
        last: &[
            "Tremblay",
            "Smith",
            "Roy",
            "Gagnon",
            "Lee",
            "Wilson",
            "MacDonald",
            "Côté",
            "Martin",
            "Brown",
            "Wong",
            "Bouchard",
        ],
    },
    Country {
        code: "AU",
        language: "en",
        phone_prefix: "+61 ",
        weight: 3,
        cities: &[
            ("Melbourne", "VIC", "3###", "Australia/Melbourne"),
            ("Sydney", "NSW", "2###", "Australia/Sydney"),
            ("Brisbane", "QLD", "4###", "Australia/Brisbane"),
            ("Perth", "WA", "6###", "Australia/Perth"),
        ],
        female: &[
            "Charlotte",
            "Olivia",
            "Mia",
            "Isla",
            "Ruby",
            "Matilda",
            "Harper",
            "Evie",
        ],
        male: &[
            "Jack", "Oliver", "Lachlan", "Cooper", "Hudson", "Riley", "Archie", "Max",
        ],
        last: &[
            "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly", "Ryan",
            "Murphy", "Campbell", "Mitchell",
        ],
    },
    Country {
        code: "JP",
        language: "ja",
        phone_prefix: "+81 ",
        weight: 2,
        cities: &[
            ("Tokyo", "Tokyo", "1##-####", "Asia/Tokyo"),
            ("Osaka", "Osaka", "5##-####", "Asia/Tokyo"),
            ("Kyoto", "Kyoto", "6##-####", "Asia/Tokyo"),
        ],
        female: &[
            "Yui", "Sakura", "Aoi", "Hina", "Yuna", "Mei", "Haruka", "Rin",
        ],
        male: &[
            "Haruto", "Ren", "Sota", "Yuto", "Kaito", "Riku", "Takumi", "Daiki",
        ],
        last: &[
            "Sato",
            "Suzuki",
            "Takahashi",
            "Tanaka",
            "Watanabe",
            "Ito",
            "Yamamoto",
            "Nakamura",
            "Kobayashi",
            "Kato",
        ],
    },
];

/// Email domains reserved for examples (RFC 2606, RFC 6761).
pub const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "example.net",
    "example.org",
    "mail.example",
    "inbox.example",
    "post.example",
];

/// Companies for the few wholesale (café and office) customers.
pub const COMPANIES: &[&str] = &[
    "Kaffeehaus Lindner",
    "Bean There Café",
    "Northside Coworking",
    "Atelier Moreau",
    "Harbour Bakery",
    "Studio Nord",
    "The Reading Room",
    "Greenleaf Offices",
    "Café Sólo",
    "Morning Ritual Co.",
];

/// A product of the shop: SKU, name, category, price in cents.
pub struct Product {
    pub sku: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub price_cents: i64,
}

const fn p(
    sku: &'static str,
    name: &'static str,
    category: &'static str,
    price_cents: i64,
) -> Product {
    Product {
        sku,
        name,
        category,
        price_cents,
    }
}

pub const COFFEE: &str = "Coffee";
pub const TEA: &str = "Tea";
pub const EQUIPMENT: &str = "Equipment";
pub const SUBSCRIPTION: &str = "Subscriptions";
pub const GIFTS: &str = "Gifts";

pub const PRODUCTS: &[Product] = &[
    p("COF-ETH-250", "Ethiopia Yirgacheffe 250 g", COFFEE, 1290),
    p("COF-COL-250", "Colombia Huila 250 g", COFFEE, 1150),
    p("COF-BRA-1K", "Brazil Cerrado 1 kg", COFFEE, 3290),
    p("COF-KEN-250", "Kenya Nyeri AA 250 g", COFFEE, 1490),
    p("COF-GUA-250", "Guatemala Antigua 250 g", COFFEE, 1250),
    p("COF-ESP-500", "House Espresso Blend 500 g", COFFEE, 1890),
    p("COF-DEC-250", "Swiss Water Decaf 250 g", COFFEE, 1190),
    p("COF-SUM-250", "Sumatra Mandheling 250 g", COFFEE, 1350),
    p("COF-CBR-1L", "Cold Brew Concentrate 1 l", COFFEE, 1690),
    p("TEA-SEN-100", "Japanese Sencha 100 g", TEA, 1490),
    p("TEA-DAR-100", "Darjeeling First Flush 100 g", TEA, 1690),
    p("TEA-ASS-250", "Assam Breakfast 250 g", TEA, 1090),
    p("TEA-EGR-100", "Earl Grey Bergamot 100 g", TEA, 890),
    p("TEA-MAT-030", "Ceremonial Matcha 30 g", TEA, 2490),
    p("TEA-OOL-100", "Tie Guan Yin Oolong 100 g", TEA, 1590),
    p("TEA-CHA-200", "Masala Chai 200 g", TEA, 990),
    p("TEA-ROO-100", "Rooibos Vanilla 100 g", TEA, 790),
    p("TEA-CAM-050", "Camomile Blossoms 50 g", TEA, 690),
    p("EQP-V60-02", "Ceramic Pour-over Dripper", EQUIPMENT, 2490),
    p("EQP-GRD-HND", "Hand Burr Grinder", EQUIPMENT, 8900),
    p("EQP-KTL-GOO", "Gooseneck Kettle", EQUIPMENT, 5490),
    p("EQP-FIL-100", "Paper Filters (100)", EQUIPMENT, 590),
    p("EQP-FRP-800", "French Press 800 ml", EQUIPMENT, 3290),
    p("EQP-TPT-GLS", "Glass Teapot with Infuser", EQUIPMENT, 2990),
    p("EQP-SCL-DIG", "Brewing Scale", EQUIPMENT, 3990),
    p("SUB-COF-MON", "Coffee Club (monthly)", SUBSCRIPTION, 2400),
    p("SUB-TEA-MON", "Tea Club (monthly)", SUBSCRIPTION, 2200),
    p("GFT-CRD-025", "Gift Card 25", GIFTS, 2500),
    p("GFT-CRD-050", "Gift Card 50", GIFTS, 5000),
    p("GFT-BOX-TAS", "Tasting Box", GIFTS, 3490),
    p("GFT-MUG-STN", "Stoneware Mug", GIFTS, 1890),
    p("GFT-ADV-CAL", "Advent Tea Calendar", GIFTS, 3990),
];

/// Newsletter campaigns: name, days before `as_of`, and whether it is an A/B
/// test of two subject lines.
pub const CAMPAIGNS: &[(&str, i64, bool)] = &[
    ("Summer cold brew", 150, false),
    ("New harvest: Ethiopia", 120, false),
    ("Autumn roast launch", 90, true),
    ("Tea for cosy evenings", 60, false),
    ("Brewing guide: pour-over", 35, false),
    ("Black Friday early access", 12, true),
];

pub const ROASTS: &[&str] = &["Light", "Medium", "Dark", "Espresso"];
