"""Names for a synthetic Barking and Dagenham, and the ways people and systems misspell them.

Why: record linkage is tested on names, and the borough is one of the most diverse in
England (Census 2021: roughly a third White British; large Black African, South Asian and
Eastern European communities). Name lists by origin group make the linkage problem
realistic: shared surnames (Khan, Ahmed, Begum), transliteration variants (Mohammed,
Muhammad), diacritics that some systems drop (Šimkus, Ștefan), hyphenated surnames.

The group shares below are rough weights for names only, not a calibration of ethnicity.
All names are common given names and surnames; any combination is synthetic.
"""
from __future__ import annotations

import unicodedata

import numpy as np

#: origin group -> (share of households, share among residents aged 65+)
GROUPS: dict[str, tuple[float, float]] = {
    "english": (0.36, 0.72),
    "irish": (0.02, 0.08),
    "nigerian": (0.11, 0.04),
    "ghanaian": (0.04, 0.02),
    "somali": (0.02, 0.005),
    "lithuanian": (0.05, 0.005),
    "romanian": (0.07, 0.005),
    "polish": (0.03, 0.005),
    "pakistani": (0.08, 0.04),
    "bangladeshi": (0.08, 0.03),
    "indian": (0.07, 0.04),
    "portuguese": (0.02, 0.005),
}
GROUP_NAMES = tuple(GROUPS)

FIRST_MALE: dict[str, tuple[str, ...]] = {
    "english": ("Oliver", "Harry", "George", "Jack", "Charlie", "Thomas", "James", "William",
                "Daniel", "Joshua", "Ryan", "Liam", "Kyle", "Callum", "Connor", "Lewis",
                "Jordan", "Bradley", "Jamie", "Alfie", "Tyler", "Mason", "Leo", "Archie",
                "Michael", "David", "Paul", "Mark", "Stephen", "Andrew", "Lee", "Darren",
                "Craig", "Dean", "Gary", "Wayne", "Kevin", "Peter", "John", "Robert",
                "Terence", "Ronald", "Kenneth", "Dennis", "Raymond", "Brian", "Alan",
                "Leroy", "Marcus", "Jermaine", "Tyrone", "Delroy"),
    "irish": ("Sean", "Patrick", "Ciaran", "Declan", "Liam", "Conor", "Padraig", "Eoin",
              "Niall", "Cormac", "Kieran", "Brendan", "Dermot", "Fergal", "Colm", "Michael"),
    "nigerian": ("Oluwaseun", "Olumide", "Adebayo", "Chinedu", "Emeka", "Chukwuemeka",
                 "Obinna", "Tunde", "Babatunde", "Femi", "Oluwafemi", "Ayodele", "Segun",
                 "Ikenna", "Uchenna", "Kelechi", "Damilola", "Tobi", "Oluwatobi", "David",
                 "Samuel", "Daniel", "Joshua", "Emmanuel", "Victor", "Michael", "Gabriel"),
    "ghanaian": ("Kwame", "Kofi", "Kwabena", "Yaw", "Kwaku", "Kojo", "Kwesi", "Nana",
                 "Emmanuel", "Isaac", "Samuel", "Prince", "Ebenezer", "Richmond", "Daniel"),
    "somali": ("Mohamed", "Abdi", "Abdirahman", "Abdullahi", "Ahmed", "Hassan", "Hussein",
               "Omar", "Ali", "Yusuf", "Ibrahim", "Mustafe", "Liban", "Guled", "Abdikarim"),
    "lithuanian": ("Tomas", "Mantas", "Lukas", "Darius", "Andrius", "Vytautas", "Rokas",
                   "Paulius", "Jonas", "Matas", "Kęstutis", "Šarūnas", "Dovydas", "Gytis",
                   "Mindaugas", "Aurimas"),
    "romanian": ("Andrei", "Alexandru", "Ionuț", "Mihai", "Florin", "Cristian", "Gabriel",
                 "Ștefan", "Marius", "Adrian", "Bogdan", "Constantin", "Daniel", "Vasile",
                 "Nicolae", "Sorin", "Cătălin", "Răzvan", "Darius", "David"),
    "polish": ("Jakub", "Kacper", "Mateusz", "Piotr", "Tomasz", "Krzysztof", "Łukasz",
               "Paweł", "Michał", "Marcin", "Grzegorz", "Bartosz", "Wojciech", "Szymon"),
    "pakistani": ("Mohammed", "Muhammad", "Ali", "Hamza", "Bilal", "Imran", "Usman",
                  "Adnan", "Zain", "Ayaan", "Ibrahim", "Yusuf", "Haris", "Faisal", "Tariq",
                  "Asif", "Kashif", "Zubair", "Rizwan", "Abdullah"),
    "bangladeshi": ("Mohammed", "Abdul", "Mohammad", "Rahim", "Karim", "Shahid", "Jamal",
                    "Rashid", "Sohel", "Rubel", "Shamim", "Ismail", "Raihan", "Tanvir",
                    "Ayaan", "Zayan", "Ibrahim", "Yusuf", "Nabil", "Tahmid"),
    "indian": ("Arjun", "Rohan", "Aarav", "Vikram", "Rajesh", "Sanjay", "Amit", "Harpreet",
               "Gurpreet", "Jaspreet", "Manpreet", "Sukhdeep", "Ravi", "Anil", "Kiran",
               "Dev", "Nikhil", "Ishaan", "Hardeep", "Ajay"),
    "portuguese": ("João", "Pedro", "Tiago", "Rui", "Luís", "Miguel", "Diogo", "Bruno",
                   "André", "Ricardo", "Nuno", "Paulo"),
}

FIRST_FEMALE: dict[str, tuple[str, ...]] = {
    "english": ("Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophie", "Emily",
                "Jessica", "Chloe", "Lauren", "Charlotte", "Megan", "Ellie", "Lily", "Poppy",
                "Holly", "Amy", "Rebecca", "Hannah", "Danielle", "Kayleigh", "Stacey",
                "Jade", "Gemma", "Kelly", "Lisa", "Michelle", "Tracey", "Sharon", "Julie",
                "Karen", "Susan", "Linda", "Patricia", "Margaret", "Jean", "Doreen",
                "Brenda", "Maureen", "Shirley", "Joan", "Sandra", "Janet", "Chantelle",
                "Shanice", "Keisha", "Marcia"),
    "irish": ("Siobhan", "Niamh", "Aoife", "Sinead", "Ciara", "Roisin", "Orla", "Mary",
              "Bridget", "Maeve", "Grainne", "Deirdre", "Eileen", "Clodagh", "Aisling"),
    "nigerian": ("Oluwakemi", "Folasade", "Adaeze", "Chioma", "Ngozi", "Funmilayo",
                 "Yetunde", "Abimbola", "Temitope", "Oluwadamilola", "Adenike", "Nkechi",
                 "Chiamaka", "Ifeoma", "Bukola", "Titilayo", "Blessing", "Favour", "Grace",
                 "Precious", "Esther", "Deborah", "Ruth", "Faith", "Mercy", "Comfort"),
    "ghanaian": ("Akosua", "Ama", "Abena", "Afua", "Adwoa", "Yaa", "Efua", "Esi",
                 "Akua", "Adjoa", "Gifty", "Comfort", "Patience", "Mavis", "Priscilla"),
    "somali": ("Fadumo", "Hodan", "Amina", "Asha", "Hawa", "Sahra", "Ifrah", "Ayan",
               "Hibo", "Nasra", "Ubah", "Khadra", "Halima", "Maryan", "Sagal", "Deeqa"),
    "lithuanian": ("Rūta", "Eglė", "Greta", "Ieva", "Laura", "Gabija", "Kristina",
                   "Jurgita", "Inga", "Aistė", "Monika", "Vaida", "Agnė", "Indrė", "Austėja"),
    "romanian": ("Maria", "Elena", "Andreea", "Ioana", "Alexandra", "Ana", "Mihaela",
                 "Gabriela", "Cristina", "Daniela", "Florentina", "Ramona", "Larisa",
                 "Bianca", "Denisa", "Roxana", "Georgiana", "Ștefania", "Irina", "Sofia"),
    "polish": ("Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Małgorzata",
               "Aleksandra", "Zofia", "Julia", "Natalia", "Monika", "Ewa", "Karolina", "Marta"),
    "pakistani": ("Ayesha", "Fatima", "Zainab", "Maryam", "Hira", "Sana", "Amina", "Noor",
                  "Sadia", "Nadia", "Rabia", "Samina", "Shazia", "Iqra", "Khadija", "Aleena",
                  "Hafsa", "Mehwish", "Bushra", "Anum"),
    "bangladeshi": ("Fatema", "Nusrat", "Sumaiya", "Tahmina", "Rupa", "Shirin", "Jesmin",
                    "Rokeya", "Salma", "Nazia", "Tasnim", "Sadia", "Ruma", "Momtaz",
                    "Khadija", "Aisha", "Maryam", "Inaya", "Zara", "Safiya"),
    "indian": ("Priya", "Anjali", "Pooja", "Kavita", "Sunita", "Neha", "Simran", "Harpreet",
               "Gurpreet", "Jaspreet", "Manpreet", "Navdeep", "Divya", "Ananya", "Riya",
               "Meera", "Asha", "Kiranjit", "Rajinder", "Sukhvinder"),
    "portuguese": ("Ana", "Maria", "Beatriz", "Inês", "Mariana", "Joana", "Catarina",
                   "Sofia", "Rita", "Filipa", "Sara", "Margarida"),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "english": ("Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Wilson", "Evans",
                "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson",
                "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis",
                "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper",
                "Morris", "Ward", "Moore", "King", "Watson", "Baker", "Harrison", "Morgan",
                "Patel", "Young", "Allen", "Mitchell", "James", "Anderson", "Phillips",
                "Lee", "Bell", "Parker", "Davis", "Campbell", "Kelly", "Bennett", "Cook",
                "Shaw", "Richards", "Carter", "Collins", "Marshall", "Gray", "Grant",
                "Francis", "Stewart", "Reid", "Brooks", "Barnes", "Knight", "Ellis",
                "Bailey", "Fletcher", "Pearce", "Webb", "Mason", "Hunt", "Palmer", "Cole",
                "Gordon", "Henry", "Bryan", "Samuels", "Wallace", "Pryce-Jones", "Ashby-Cole"),
    "irish": ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan",
              "O'Connor", "O'Neill", "Doyle", "McCarthy", "Gallagher", "Doherty", "Kennedy",
              "Lynch", "Murray", "Quinn", "Moore", "McLoughlin", "O'Carroll", "Brennan",
              "Fitzgerald", "McGrath", "Nolan"),
    "nigerian": ("Adeyemi", "Okafor", "Okonkwo", "Adebayo", "Olawale", "Ogunleye", "Eze",
                 "Nwosu", "Afolabi", "Balogun", "Oyelaran", "Adeleke", "Ibrahim", "Okoro",
                 "Chukwu", "Obi", "Adewale", "Akinola", "Ogunbiyi", "Babatunde", "Nwachukwu",
                 "Oladipo", "Olaniyan", "Onyeka", "Uzor", "Ajayi", "Bello", "Salami",
                 "Adeniyi", "Ekwueme", "Okeke", "Oyewole", "Ogundipe", "Fashola"),
    "ghanaian": ("Mensah", "Asante", "Owusu", "Boateng", "Osei", "Agyeman", "Appiah",
                 "Acheampong", "Amoah", "Darko", "Ofori", "Adjei", "Antwi", "Frimpong",
                 "Kwarteng", "Asamoah", "Opoku", "Badu", "Gyamfi", "Ansah"),
    "somali": ("Mohamed", "Ahmed", "Ali", "Hassan", "Hussein", "Abdi", "Omar", "Warsame",
               "Farah", "Jama", "Ismail", "Osman", "Abdullahi", "Aden", "Nur", "Yusuf",
               "Egal", "Dirie", "Hirsi", "Elmi"),
    "lithuanian": ("Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas",
                   "Žukauskas", "Butkus", "Paulauskas", "Urbonas", "Kavaliauskas",
                   "Šimkus", "Navickas", "Ramanauskas", "Savickas", "Rimkus", "Kazlauskienė",
                   "Jankauskienė", "Petrauskienė", "Balčiūnas", "Sabonis"),
    "romanian": ("Popescu", "Ionescu", "Popa", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe",
                 "Matei", "Ciobanu", "Rusu", "Munteanu", "Constantin", "Marin", "Tudor",
                 "Moldovan", "Lupu", "Florea", "Dinu", "Mocanu", "Nistor", "Barbu", "Ene",
                 "Oprea", "Sârbu", "Toma", "Ursu", "Neagu"),
    "polish": ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
               "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski",
               "Mazur", "Jankowski", "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski"),
    "pakistani": ("Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Iqbal", "Mahmood", "Shah",
                  "Butt", "Malik", "Rashid", "Chaudhry", "Raza", "Qureshi", "Sheikh", "Aslam",
                  "Javed", "Anwar", "Bashir", "Siddiqui", "Mirza", "Haider"),
    "bangladeshi": ("Begum", "Uddin", "Rahman", "Ahmed", "Miah", "Islam", "Hussain",
                    "Khatun", "Ali", "Hoque", "Chowdhury", "Alam", "Hossain", "Akter",
                    "Rahim", "Karim", "Bibi", "Sarkar", "Khan", "Mia", "Haque", "Choudhury"),
    "indian": ("Patel", "Singh", "Kaur", "Sharma", "Shah", "Gill", "Sandhu", "Sidhu",
               "Dhillon", "Kumar", "Mehta", "Joshi", "Desai", "Chauhan", "Bhatt", "Gupta",
               "Mistry", "Parmar", "Solanki", "Grewal", "Bains", "Virdee"),
    "portuguese": ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
                   "Martins", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques",
                   "Almeida", "Ribeiro", "Carvalho", "Teixeira"),
}

#: equivalent spellings systems hold for the same person
VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Muhammad", "Mohammad", "Mohamed", "Mohd", "Muhammed"),
    "Muhammad": ("Mohammed", "Mohammad", "Muhammed"),
    "Mohammad": ("Mohammed", "Muhammad"),
    "Mohamed": ("Mohammed", "Mohamud"),
    "Ayesha": ("Aisha", "Aysha", "Ayisha"),
    "Aisha": ("Ayesha", "Aysha"),
    "Fatema": ("Fatima", "Fatimah"),
    "Fatima": ("Fatema", "Fatimah"),
    "Khadija": ("Khadijah", "Kadija"),
    "Yusuf": ("Yousuf", "Yousef", "Joseph"),
    "Abdul": ("Abdool", "Abdal"),
    "Ibrahim": ("Ebrahim", "Ibraheem"),
    "Sean": ("Shaun", "Shawn", "Seán"),
    "Siobhan": ("Shivaun", "Siobhán"),
    "Niamh": ("Neve", "Neeve"),
    "Stephen": ("Steven",), "Steven": ("Stephen",),
    "Jon": ("John",), "John": ("Jon",),
    "Katherine": ("Catherine", "Kathryn"), "Catherine": ("Katherine", "Kathryn"),
    "Michael": ("Micheal", "Mike"), "William": ("Bill", "Will"), "Robert": ("Bob", "Rob"),
    "Daniel": ("Danny", "Dan"), "Thomas": ("Tom", "Tommy"), "James": ("Jim", "Jamie"),
    "Oluwaseun": ("Seun", "Oluwasheun"), "Oluwafemi": ("Femi",), "Oluwatobi": ("Tobi",),
    "Babatunde": ("Tunde",), "Oluwakemi": ("Kemi",), "Folasade": ("Sade",),
    "Oluwadamilola": ("Damilola", "Dami"), "Chukwuemeka": ("Emeka",),
    "Ionuț": ("Ionut",), "Ștefan": ("Stefan", "Stephan"), "Cătălin": ("Catalin",),
    "Răzvan": ("Razvan",), "Łukasz": ("Lukasz", "Lucas"), "Paweł": ("Pawel", "Paul"),
    "Michał": ("Michal", "Michael"), "Małgorzata": ("Malgorzata", "Margaret"),
    "Kęstutis": ("Kestutis",), "Šarūnas": ("Sarunas",), "Rūta": ("Ruta",), "Eglė": ("Egle",),
    "João": ("Joao",), "Luís": ("Luis",), "Inês": ("Ines",), "André": ("Andre",),
    "Begum": ("Begom", "Bagum"), "Uddin": ("Udin", "Uddeen"), "Miah": ("Mia", "Meah"),
    "Chowdhury": ("Choudhury", "Chaudhry", "Choudhry"), "Choudhury": ("Chowdhury",),
    "Chaudhry": ("Chaudhary", "Choudhry"), "Hussain": ("Hussein", "Husain"),
    "Hussein": ("Hussain",), "Rahman": ("Rehman",), "Hossain": ("Hussain", "Hosain"),
    "Mohamud": ("Mohamed",), "Abdullahi": ("Abdullah",), "Hoque": ("Haque", "Hoq"),
    "O'Sullivan": ("OSullivan", "O Sullivan", "Sullivan"), "O'Brien": ("OBrien", "O Brien"),
    "O'Connor": ("OConnor", "O Connor", "Connor"), "O'Neill": ("ONeill", "O'Neil"),
    "McCarthy": ("Mccarthy", "MacCarthy"), "McLoughlin": ("McLaughlin", "Mcloughlin"),
    "McGrath": ("Mcgrath", "MacGrath"), "O'Carroll": ("OCarroll", "Carroll"),
    "Clarke": ("Clark",), "Clark": ("Clarke",), "Davies": ("Davis",), "Davis": ("Davies",),
    "Stankevičius": ("Stankevicius",), "Žukauskas": ("Zukauskas",), "Šimkus": ("Simkus",),
    "Balčiūnas": ("Balciunas",), "Kazlauskienė": ("Kazlauskiene", "Kazlauskas"),
    "Jankauskienė": ("Jankauskiene", "Jankauskas"), "Petrauskienė": ("Petrauskiene",),
    "Wiśniewski": ("Wisniewski",), "Wójcik": ("Wojcik",), "Kamiński": ("Kaminski",),
    "Zieliński": ("Zielinski",), "Szymański": ("Szymanski",), "Woźniak": ("Wozniak",),
    "Dąbrowski": ("Dabrowski",), "Kozłowski": ("Kozlowski",), "Sârbu": ("Sarbu",),
    "Gonçalves": ("Goncalves",), "Pryce-Jones": ("Pryce Jones", "Jones", "PryceJones"),
    "Ashby-Cole": ("Ashby Cole", "Cole", "Ashby"),
}

_KEYBOARD = {
    "a": "qsz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}


def strip_accents(text: str) -> str:
    """'Šarūnas' -> 'Sarunas' (what systems without Unicode support store)."""
    norm = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in norm if not unicodedata.combining(c))


def typo(name: str, rng: np.random.Generator) -> str:
    """One keying slip: transposed, dropped, doubled or neighbouring-key letter."""
    if len(name) < 3:
        return name + name[-1:]
    kind = int(rng.integers(4))
    i = int(rng.integers(1, len(name) - 1))
    if kind == 0:  # transpose i, i+1
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if kind == 1:  # drop
        return name[:i] + name[i + 1:]
    if kind == 2:  # double
        return name[:i] + name[i] + name[i:]
    ch = name[i]
    near = _KEYBOARD.get(ch.lower())
    if not near:
        return name[:i] + name[i + 1:]
    sub = near[int(rng.integers(len(near)))]
    return name[:i] + (sub.upper() if ch.isupper() else sub) + name[i + 1:]


def variant(name: str, rng: np.random.Generator) -> str:
    """A different spelling of `name` as another record might hold it."""
    if not name:
        return name
    alts = VARIANTS.get(name)
    if alts and rng.random() < 0.7:
        return alts[int(rng.integers(len(alts)))]
    stripped = strip_accents(name)
    if stripped != name and rng.random() < 0.7:
        return stripped
    return typo(name, rng)


def pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    """n names drawn from `options`, earlier names a little more common (Zipf-like)."""
    k = len(options)
    w = 1.0 / np.arange(1, k + 1) ** 0.6
    return np.asarray(options, dtype=object)[rng.choice(k, size=n, p=w / w.sum())]


def first_names(rng: np.random.Generator, groups: np.ndarray, female: np.ndarray) -> np.ndarray:
    """A first name for each person, by origin group (index into GROUP_NAMES) and sex."""
    out = np.empty(len(groups), dtype=object)
    for g, gname in enumerate(GROUP_NAMES):
        for fem, table in ((True, FIRST_FEMALE), (False, FIRST_MALE)):
            sel = np.flatnonzero((groups == g) & (female == fem))
            if sel.size:
                out[sel] = pick(rng, table[gname], sel.size)
    return out


def surnames(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """A surname for each household or person, by origin group."""
    out = np.empty(len(groups), dtype=object)
    for g, gname in enumerate(GROUP_NAMES):
        sel = np.flatnonzero(groups == g)
        if sel.size:
            out[sel] = pick(rng, SURNAMES[gname], sel.size)
    return out


def draw_groups(rng: np.random.Generator, n: int, older: np.ndarray | None = None) -> np.ndarray:
    """Origin group index for n households (heads aged 65+ drawn from the older mix)."""
    young = np.array([v[0] for v in GROUPS.values()])
    old = np.array([v[1] for v in GROUPS.values()])
    g = rng.choice(len(GROUPS), size=n, p=young / young.sum())
    if older is not None and older.any():
        idx = np.flatnonzero(older)
        g[idx] = rng.choice(len(GROUPS), size=idx.size, p=old / old.sum())
    return g
