"""Demo partner network: the real 2SoKroG partnership plus a deterministic synthetic regional layer."""

from __future__ import annotations

import itertools
import random
import re
from datetime import date, timedelta
from typing import Any

from network.geo import haversine_km
from portal.geo import REGIONS, Place, find_place, places
from portal.text import fold

__all__ = [
    "ASSOCIATED_PARTNERS",
    "LEAD_PARTNER",
    "PROJECT_PARTNERS",
    "PROJECT_REGIONS",
    "generated_network",
    "real_network",
]

PROJECT_START = date(2018, 9, 1)
PROJECT_END = date(2020, 8, 31)
LEAD_PARTNER = "zrs-bistra-ptuj"
PROJECT_PARTNERS = (
    LEAD_PARTNER,
    "rasr-celje",
    "cpu-center-ponovne-uporabe",
    "jurr-varazdinske-zupanije",
    "czss-cakovec",
    "redea-cakovec",
    "zrsz",
)
ASSOCIATED_PARTNERS = (
    "mdomsp",
    "mddsz",
    "mgrt",
    "mop",
    "hzz-ru-varazdin",
    "csd-lasko",
    "puo-cakovec",
    "lu-ormoz",
)
PROJECT_REGIONS = ("Podravska", "Savinjska", "Varaždinska županija", "Međimurska županija")

_ORMOZ_NOTE = "Strokovno srečanje 2SoKroG v Ormožu"
_CAKOVEC_NOTE = "Stručni skup 2SoKroG u Čakovcu"
_ORMOZ_EVENT = date(2018, 12, 6)
_CAKOVEC_EVENT = date(2019, 2, 12)

# key, kind, country, municipality, name, address, languages, contact_person, description
_REAL_ORGANISATIONS = (
    (
        LEAD_PARTNER,
        "research",
        "SI",
        "Ptuj",
        "Znanstveno-raziskovalno središče Bistra Ptuj",
        "Slovenski trg 6",
        "sl hr en",
        "Vodja projekta 2SoKroG",
        "Regionalni raziskovalno-razvojni zavod, ki pripravlja in vodi razvojne projekte v Podravju. "
        "V projektu 2SoKroG je vodilni partner in usklajuje razvoj čezmejnega modela socialne aktivacije.",
    ),
    (
        "rasr-celje",
        "development_agency",
        "SI",
        "Celje",
        "Razvojna agencija Savinjske regije d.o.o.",
        "Kidričeva ulica 25",
        "sl hr en",
        "Vodja projektov",
        "Regionalna razvojna agencija, ki spodbuja gospodarski in socialni razvoj Savinjske regije. "
        "V projektu 2SoKroG je projektni partner za savinjsko območje.",
    ),
    (
        "cpu-center-ponovne-uporabe",
        "social_enterprise",
        "SI",
        "Ljubljana",
        "Center ponovne uporabe d.o.o., so.p.",
        "",
        "sl hr en",
        "Direktor/ica",
        "Socialno podjetje, ki z zbiranjem, popravilom in prodajo rabljenih predmetov zaposluje in usposablja "
        "ranljive skupine. V projektu 2SoKroG je projektni partner in prinaša izkušnje socialnega podjetništva.",
    ),
    (
        "jurr-varazdinske-zupanije",
        "development_agency",
        "HR",
        "Varaždin",
        "Javna ustanova za regionalni razvoj Varaždinske županije",
        "",
        "hr sl en",
        "Voditelj/ica projekata",
        "Regionalni koordinator koji priprema i provodi razvojne i EU projekte Varaždinske županije. "
        "U projektu 2SoKroG je projektni partner.",
    ),
    (
        "czss-cakovec",
        "social_work_centre",
        "HR",
        "Čakovec",
        "Centar za socijalnu skrb Čakovec",
        "",
        "hr sl en",
        "Koordinator/ica socijalne aktivacije",
        "Javna ustanova koja odlučuje o pravima iz sustava socijalne skrbi i pruža socijalne usluge u Međimurju. "
        "U projektu 2SoKroG je projektni partner i testira model socijalne aktivacije.",
    ),
    (
        "redea-cakovec",
        "development_agency",
        "HR",
        "Čakovec",
        "Javna ustanova za razvoj Međimurske županije REDEA",
        "Bana Josipa Jelačića 22a",
        "hr sl en",
        "Koordinator/ica projekta 2SoKroG",
        "Regionalna razvojna agencija Međimurske županije koja priprema i provodi razvojne projekte. "
        "U projektu 2SoKroG je projektni partner.",
    ),
    (
        "zrsz",
        "employment_office",
        "SI",
        "Ljubljana",
        "Zavod Republike Slovenije za zaposlovanje",
        "Rožna dolina, cesta IX/6",
        "sl hr en",
        "Vodja projektov",
        "Javna služba za zaposlovanje, ki svetuje brezposelnim in delodajalcem ter izvaja ukrepe aktivne politike "
        "zaposlovanja. V projektu 2SoKroG je projektni partner.",
    ),
    (
        "mdomsp",
        "ministry",
        "HR",
        "Zagreb",
        "Ministarstvo za demografiju, obitelj, mlade i socijalnu politiku",
        "Trg Nevenke Topalušić 1",
        "hr en",
        "Služba za socijalnu politiku",
        "Ministarstvo nadležno za socijalnu skrb, obitelj i demografiju. "
        "U projektu 2SoKroG je pridruženi partner koji prati rezultate za oblikovanje politike na sustavnoj razini.",
    ),
    (
        "mddsz",
        "ministry",
        "SI",
        "Ljubljana",
        "Ministrstvo za delo, družino, socialne zadeve in enake možnosti",
        "Štukljeva cesta 44",
        "sl en",
        "Svetovalec/ka za socialno aktivacijo",
        "Ministrstvo, pristojno za trg dela in socialno varstvo, ki vodi razvoj celovitega modela socialne "
        "aktivacije v Sloveniji. V projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "mgrt",
        "ministry",
        "SI",
        "Ljubljana",
        "Ministrstvo za gospodarski razvoj in tehnologijo",
        "Kotnikova ulica 5",
        "sl en",
        "Svetovalec/ka za socialno podjetništvo",
        "Ministrstvo, pristojno za gospodarski razvoj, podjetništvo in socialno podjetništvo. "
        "V projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "mop",
        "ministry",
        "SI",
        "Ljubljana",
        "Ministrstvo za okolje in prostor",
        "Dunajska cesta 48",
        "sl en",
        "Svetovalec/ka za prostorski razvoj",
        "Ministrstvo, pristojno za okolje, prostor in prostorski razvoj. V projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "hzz-ru-varazdin",
        "employment_office",
        "HR",
        "Varaždin",
        "Hrvatski zavod za zapošljavanje, Regionalni ured Varaždin",
        "",
        "hr en",
        "Savjetnik/ca za zapošljavanje",
        "Regionalni ured javne službe za zapošljavanje koji savjetuje nezaposlene i poslodavce te provodi mjere "
        "aktivne politike zapošljavanja. U projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "csd-lasko",
        "social_work_centre",
        "SI",
        "Laško",
        "Center za socialno delo Laško",
        "",
        "sl en",
        "Strokovni/a delavec/ka za socialno aktivacijo",
        "Javni zavod, ki izvaja socialnovarstvene storitve in javna pooblastila za občane Laškega. "
        "V projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "puo-cakovec",
        "adult_education",
        "HR",
        "Čakovec",
        "Pučko otvoreno učilište Čakovec",
        "",
        "hr en",
        "Voditelj/ica obrazovanja odraslih",
        "Ustanova za obrazovanje odraslih koja provodi programe osposobljavanja i prekvalifikacije. "
        "U projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "lu-ormoz",
        "adult_education",
        "SI",
        "Ormož",
        "Ljudska univerza Ormož",
        "",
        "sl en",
        "Organizator/ka izobraževanja odraslih",
        "Javni zavod za izobraževanje odraslih, ki izvaja programe neformalnega izobraževanja in usposabljanja. "
        "V projektu 2SoKroG je pridruženi partner.",
    ),
    (
        "csd-celje",
        "social_work_centre",
        "SI",
        "Celje",
        "Center za socialno delo Celje",
        "",
        "sl en",
        "Direktor/ica",
        "Javni zavod, ki izvaja socialnovarstvene storitve in javna pooblastila na celjskem območju. "
        "Sodeloval je v strokovni razpravi projekta 2SoKroG v Ormožu.",
    ),
    (
        "hzz-pu-cakovec",
        "employment_office",
        "HR",
        "Čakovec",
        "Hrvatski zavod za zapošljavanje, Područni ured Čakovec",
        "",
        "hr en",
        "Savjetnik/ca za zapošljavanje",
        "Područni ured javne službe za zapošljavanje za Međimurje. "
        "Sudjelovao je u stručnim raspravama projekta 2SoKroG u Ormožu i Čakovcu.",
    ),
    (
        "gdck-cakovec",
        "ngo",
        "HR",
        "Čakovec",
        "Gradsko društvo Crvenog križa Čakovec",
        "",
        "hr en",
        "Koordinator/ica socijalnih programa",
        "Humanitarna organizacija koja pruža pomoć osobama u potrebi i provodi socijalne programe u zajednici. "
        "Sudjelovala je u stručnoj raspravi projekta 2SoKroG u Čakovcu.",
    ),
    (
        "humana-nova-cakovec",
        "social_enterprise",
        "HR",
        "Čakovec",
        "Humana Nova socijalna zadruga",
        "",
        "hr en",
        "Direktor/ica",
        "Socijalna zadruga koja zapošljava osobe s invaliditetom i druge teže zapošljive osobe u prikupljanju "
        "i preradi rabljenog tekstila. Sudjelovala je u stručnoj raspravi projekta 2SoKroG u Čakovcu.",
    ),
    (
        "ul-fdv",
        "research",
        "SI",
        "Ljubljana",
        "Univerza v Ljubljani – Fakulteta za družbene vede",
        "Kardeljeva ploščad 5",
        "sl en",
        "Raziskovalec/ka socialne politike",
        "Fakulteta, ki izobražuje in raziskuje na področju družboslovja, tudi socialne politike. "
        "Sodelovala je v strokovni razpravi projekta 2SoKroG v Ormožu.",
    ),
    (
        "obcina-ormoz",
        "municipality",
        "SI",
        "Ormož",
        "Občina Ormož",
        "Ptujska cesta 6",
        "sl en",
        "Svetovalec/ka za družbene dejavnosti",
        "Lokalna skupnost v Podravju. Decembra 2018 je gostila strokovno srečanje projekta 2SoKroG.",
    ),
    (
        "medimurska-zupanija",
        "municipality",
        "HR",
        "Čakovec",
        "Međimurska županija",
        "Ruđera Boškovića 2",
        "hr en",
        "Upravni odjel za zdravstvo i socijalnu skrb",
        "Jedinica regionalne samouprave i osnivač razvojne agencije REDEA. "
        "U veljači 2019. otvorila je stručni skup projekta 2SoKroG u Čakovcu.",
    ),
    (
        "zrsz-os-ptuj",
        "employment_office",
        "SI",
        "Ptuj",
        "Zavod RS za zaposlovanje, Območna služba Ptuj",
        "",
        "sl en",
        "Svetovalec/ka zaposlitve",
        "Območna služba javne službe za zaposlovanje za ptujsko in ormoško območje. "
        "Sodelovala je pri izvajanju projekta 2SoKroG.",
    ),
)

# source, target, kind, since, until, strength, note
_REAL_TIES = (
    (
        "czss-cakovec",
        "hzz-pu-cakovec",
        "cooperation",
        None,
        None,
        4,
        "Koordinirano postupanje prema zajedničkim korisnicima",
    ),
    (
        "czss-cakovec",
        "humana-nova-cakovec",
        "referral_agreement",
        None,
        None,
        3,
        "Upućivanje korisnika na radnu integraciju u socijalnoj zadruzi",
    ),
    ("gdck-cakovec", "czss-cakovec", "cooperation", None, None, 3, "Socijalni programi za zajedničke korisnike"),
    ("hzz-pu-cakovec", "hzz-ru-varazdin", "cooperation", None, None, 4, "Uredi Hrvatskog zavoda za zapošljavanje"),
    ("zrsz-os-ptuj", "zrsz", "membership", None, None, 5, "Območna služba v sestavi ZRSZ"),
    (
        "zrsz-os-ptuj",
        LEAD_PARTNER,
        "cooperation",
        PROJECT_START,
        PROJECT_END,
        4,
        "Izvajanje aktivnosti projekta 2SoKroG",
    ),
    (
        "csd-celje",
        "csd-lasko",
        "cooperation",
        None,
        None,
        4,
        "Sodelovanje centrov za socialno delo na celjskem območju",
    ),
    ("csd-celje", LEAD_PARTNER, "cooperation", _ORMOZ_EVENT, None, 2, _ORMOZ_NOTE),
    ("ul-fdv", LEAD_PARTNER, "cooperation", _ORMOZ_EVENT, None, 2, _ORMOZ_NOTE),
    ("obcina-ormoz", LEAD_PARTNER, "cooperation", _ORMOZ_EVENT, None, 3, _ORMOZ_NOTE),
    ("obcina-ormoz", "lu-ormoz", "funding", None, None, 4, "Sofinanciranje programov izobraževanja odraslih"),
    ("medimurska-zupanija", "redea-cakovec", "funding", None, None, 5, "Županija je osnivač REDEA-e"),
    ("hzz-pu-cakovec", "redea-cakovec", "cooperation", _CAKOVEC_EVENT, None, 2, _CAKOVEC_NOTE),
    ("gdck-cakovec", "redea-cakovec", "cooperation", _CAKOVEC_EVENT, None, 2, _CAKOVEC_NOTE),
    (
        "humana-nova-cakovec",
        "cpu-center-ponovne-uporabe",
        "cooperation",
        _CAKOVEC_EVENT,
        None,
        3,
        "Razmjena iskustava socijalnih poduzeća",
    ),
)

_POSTCODES = {
    "Murska Sobota": "9000",
    "Lendava": "9220",
    "Gornja Radgona": "9250",
    "Ljutomer": "9240",
    "Beltinci": "9231",
    "Radenci": "9252",
    "Moravske Toplice": "9226",
    "Maribor": "2000",
    "Ptuj": "2250",
    "Ormož": "2270",
    "Slovenska Bistrica": "2310",
    "Lenart": "2230",
    "Ruše": "2342",
    "Kidričevo": "2325",
    "Hoče - Slivnica": "2311",
    "Miklavž na Dravskem polju": "2204",
    "Pesnica": "2211",
    "Središče ob Dravi": "2277",
    "Gorišnica": "2272",
    "Markovci": "2281",
    "Videm": "2284",
    "Starše": "2205",
    "Duplek": "2241",
    "Selnica ob Dravi": "2352",
    "Majšperk": "2322",
    "Cirkulane": "2282",
    "Dornava": "2252",
    "Hajdina": "2288",
    "Destrnik": "2253",
    "Juršinci": "2256",
    "Poljčane": "2319",
    "Rače - Fram": "2327",
    "Zavrč": "2283",
    "Sveti Tomaž": "2258",
    "Kungota": "2201",
    "Slovenj Gradec": "2380",
    "Ravne na Koroškem": "2390",
    "Dravograd": "2370",
    "Radlje ob Dravi": "2360",
    "Mežica": "2392",
    "Prevalje": "2391",
    "Celje": "3000",
    "Laško": "3270",
    "Velenje": "3320",
    "Žalec": "3310",
    "Šentjur": "3230",
    "Slovenske Konjice": "3210",
    "Rogaška Slatina": "3250",
    "Šmarje pri Jelšah": "3240",
    "Mozirje": "3330",
    "Šoštanj": "3325",
    "Vojnik": "3212",
    "Štore": "3220",
    "Zreče": "3214",
    "Polzela": "3313",
    "Prebold": "3312",
    "Braslovče": "3314",
    "Rogatec": "3252",
    "Nazarje": "3331",
    "Gornji Grad": "3342",
    "Dobrna": "3204",
    "Trbovlje": "1420",
    "Hrastnik": "1430",
    "Zagorje ob Savi": "1410",
    "Krško": "8270",
    "Brežice": "8250",
    "Sevnica": "8290",
    "Kostanjevica na Krki": "8311",
    "Bistrica ob Sotli": "3256",
    "Novo mesto": "8000",
    "Črnomelj": "8340",
    "Metlika": "8330",
    "Kočevje": "1330",
    "Trebnje": "8210",
    "Ribnica": "1310",
    "Semič": "8333",
    "Šentjernej": "8310",
    "Ljubljana": "1000",
    "Domžale": "1230",
    "Kamnik": "1241",
    "Vrhnika": "1360",
    "Grosuplje": "1290",
    "Litija": "1270",
    "Logatec": "1370",
    "Medvode": "1215",
    "Ivančna Gorica": "1295",
    "Škofljica": "1291",
    "Kranj": "4000",
    "Jesenice": "4270",
    "Škofja Loka": "4220",
    "Radovljica": "4240",
    "Tržič": "4290",
    "Bled": "4260",
    "Kranjska Gora": "4280",
    "Postojna": "6230",
    "Ilirska Bistrica": "6250",
    "Cerknica": "1380",
    "Pivka": "6257",
    "Nova Gorica": "5000",
    "Ajdovščina": "5270",
    "Idrija": "5280",
    "Tolmin": "5220",
    "Šempeter - Vrtojba": "5290",
    "Bovec": "5230",
    "Koper": "6000",
    "Izola": "6310",
    "Piran": "6330",
    "Sežana": "6210",
    "Ankaran": "6280",
    "Velika Gorica": "10410",
    "Samobor": "10430",
    "Zaprešić": "10290",
    "Dugo Selo": "10370",
    "Vrbovec": "10340",
    "Sveti Ivan Zelina": "10380",
    "Jastrebarsko": "10450",
    "Ivanić-Grad": "10310",
    "Krapina": "49000",
    "Zabok": "49210",
    "Zlatar": "49250",
    "Oroslavje": "49243",
    "Pregrada": "49218",
    "Donja Stubica": "49240",
    "Sisak": "44000",
    "Kutina": "44320",
    "Petrinja": "44250",
    "Novska": "44330",
    "Glina": "44400",
    "Karlovac": "47000",
    "Ogulin": "47300",
    "Duga Resa": "47250",
    "Slunj": "47240",
    "Varaždin": "42000",
    "Ivanec": "42240",
    "Ludbreg": "42230",
    "Novi Marof": "42220",
    "Lepoglava": "42250",
    "Varaždinske Toplice": "42223",
    "Vinica": "42207",
    "Cestica": "42208",
    "Sračinec": "42209",
    "Petrijanec": "42206",
    "Trnovec Bartolovečki": "42202",
    "Vidovec": "42205",
    "Beretinec": "42201",
    "Gornji Kneginec": "42204",
    "Jalžabet": "42203",
    "Martijanec": "42232",
    "Sveti Đurđ": "42233",
    "Maruševec": "42243",
    "Klenovnik": "42244",
    "Bednja": "42253",
    "Koprivnica": "48000",
    "Križevci": "48260",
    "Đurđevac": "48350",
    "Bjelovar": "43000",
    "Daruvar": "43500",
    "Garešnica": "43280",
    "Čazma": "43240",
    "Rijeka": "51000",
    "Opatija": "51410",
    "Crikvenica": "51260",
    "Krk": "51500",
    "Delnice": "51300",
    "Mali Lošinj": "51550",
    "Gospić": "53000",
    "Otočac": "53220",
    "Senj": "53270",
    "Virovitica": "33000",
    "Slatina": "33520",
    "Orahovica": "33515",
    "Požega": "34000",
    "Pakrac": "34550",
    "Lipik": "34551",
    "Kutjevo": "34340",
    "Pleternica": "34310",
    "Slavonski Brod": "35000",
    "Nova Gradiška": "35400",
    "Zadar": "23000",
    "Biograd na Moru": "23210",
    "Benkovac": "23420",
    "Pag": "23250",
    "Osijek": "31000",
    "Đakovo": "31400",
    "Našice": "31500",
    "Beli Manastir": "31300",
    "Valpovo": "31550",
    "Šibenik": "22000",
    "Knin": "22300",
    "Drniš": "22320",
    "Vodice": "22211",
    "Vukovar": "32000",
    "Vinkovci": "32100",
    "Županja": "32270",
    "Ilok": "32236",
    "Split": "21000",
    "Kaštela": "21212",
    "Trogir": "21220",
    "Sinj": "21230",
    "Makarska": "21300",
    "Imotski": "21260",
    "Omiš": "21310",
    "Pula": "52100",
    "Poreč": "52440",
    "Rovinj": "52210",
    "Pazin": "52000",
    "Umag": "52470",
    "Labin": "52220",
    "Dubrovnik": "20000",
    "Metković": "20350",
    "Ploče": "20340",
    "Korčula": "20260",
    "Čakovec": "40000",
    "Prelog": "40323",
    "Mursko Središće": "40315",
    "Nedelišće": "40305",
    "Šenkovec": "40000",
    "Strahoninec": "40000",
    "Pribislavec": "40000",
    "Belica": "40319",
    "Mala Subotica": "40321",
    "Domašinec": "40318",
    "Podturen": "40317",
    "Goričan": "40324",
    "Donji Kraljevec": "40320",
    "Kotoriba": "40329",
    "Donja Dubrava": "40328",
    "Štrigova": "40312",
    "Sveti Martin na Muri": "40313",
    "Zagreb": "10000",
}

_AREA_CODES = {
    "Pomurska": "2",
    "Podravska": "2",
    "Koroška": "2",
    "Savinjska": "3",
    "Zasavska": "3",
    "Posavska": "7",
    "Jugovzhodna Slovenija": "7",
    "Osrednjeslovenska": "1",
    "Gorenjska": "4",
    "Primorsko-notranjska": "5",
    "Goriška": "5",
    "Obalno-kraška": "5",
    "Zagrebačka županija": "1",
    "Krapinsko-zagorska županija": "49",
    "Sisačko-moslavačka županija": "44",
    "Karlovačka županija": "47",
    "Varaždinska županija": "42",
    "Koprivničko-križevačka županija": "48",
    "Bjelovarsko-bilogorska županija": "43",
    "Primorsko-goranska županija": "51",
    "Ličko-senjska županija": "53",
    "Virovitičko-podravska županija": "33",
    "Požeško-slavonska županija": "34",
    "Brodsko-posavska županija": "35",
    "Zadarska županija": "23",
    "Osječko-baranjska županija": "31",
    "Šibensko-kninska županija": "22",
    "Vukovarsko-srijemska županija": "32",
    "Splitsko-dalmatinska županija": "21",
    "Istarska županija": "52",
    "Dubrovačko-neretvanska županija": "20",
    "Međimurska županija": "40",
    "Grad Zagreb": "1",
}

# Towns large enough for their own social work centre and employment office; the first is the regional seat.
_CENTRES = {
    "Pomurska": ("Murska Sobota",),
    "Podravska": ("Maribor", "Ptuj", "Ormož", "Slovenska Bistrica", "Lenart"),
    "Koroška": ("Slovenj Gradec",),
    "Savinjska": ("Celje", "Velenje", "Laško", "Žalec", "Šentjur"),
    "Zasavska": ("Trbovlje",),
    "Posavska": ("Krško",),
    "Jugovzhodna Slovenija": ("Novo mesto",),
    "Osrednjeslovenska": ("Ljubljana",),
    "Gorenjska": ("Kranj",),
    "Primorsko-notranjska": ("Postojna",),
    "Goriška": ("Nova Gorica",),
    "Obalno-kraška": ("Koper",),
    "Zagrebačka županija": ("Velika Gorica",),
    "Krapinsko-zagorska županija": ("Krapina",),
    "Sisačko-moslavačka županija": ("Sisak",),
    "Karlovačka županija": ("Karlovac",),
    "Varaždinska županija": ("Varaždin", "Ivanec", "Ludbreg", "Novi Marof", "Lepoglava"),
    "Koprivničko-križevačka županija": ("Koprivnica",),
    "Bjelovarsko-bilogorska županija": ("Bjelovar",),
    "Primorsko-goranska županija": ("Rijeka",),
    "Ličko-senjska županija": ("Gospić",),
    "Virovitičko-podravska županija": ("Virovitica",),
    "Požeško-slavonska županija": ("Požega",),
    "Brodsko-posavska županija": ("Slavonski Brod",),
    "Zadarska županija": ("Zadar",),
    "Osječko-baranjska županija": ("Osijek",),
    "Šibensko-kninska županija": ("Šibenik",),
    "Vukovarsko-srijemska županija": ("Vukovar",),
    "Splitsko-dalmatinska županija": ("Split",),
    "Istarska županija": ("Pula",),
    "Dubrovačko-neretvanska županija": ("Dubrovnik",),
    "Međimurska županija": ("Čakovec", "Prelog", "Mursko Središće"),
    "Grad Zagreb": ("Zagreb",),
}
_CITY_MUNICIPALITIES = {
    "Ljubljana",
    "Maribor",
    "Celje",
    "Kranj",
    "Koper",
    "Novo mesto",
    "Ptuj",
    "Velenje",
    "Murska Sobota",
    "Nova Gorica",
    "Slovenj Gradec",
    "Krško",
}
_MINORITY_LANGUAGES = {
    "Pomurska": "hu",
    "Obalno-kraška": "it",
    "Istarska županija": "it",
    "Osječko-baranjska županija": "hu",
}
_LANGUAGE_ORDER = ("sl", "hr", "en", "de", "hu", "it")

# Everything below is per country: the same idea in Slovenian and in Croatian.
_PHRASES = {
    "SI": (
        "Zeleni krog",
        "Nova pot",
        "Sončni vrt",
        "Dobra volja",
        "Korak naprej",
        "Zlata nit",
        "Modri most",
        "Odprte roke",
        "Domači kruh",
        "Srebrna reka",
        "Živa dediščina",
        "Mavrični most",
        "Drugi dom",
        "Topla hiša",
        "Pridne roke",
        "Zeleni otok",
        "Stara kovačija",
        "Lipov list",
        "Pisani svet",
        "Skupna pot",
        "Novi začetek",
        "Most upanja",
        "Sončna ura",
        "Iskrica",
    ),
    "HR": (
        "Zeleni krug",
        "Novi put",
        "Sunčani vrt",
        "Dobra volja",
        "Korak dalje",
        "Zlatna nit",
        "Plavi most",
        "Otvorene ruke",
        "Domaći kruh",
        "Srebrna rijeka",
        "Živa baština",
        "Dugin most",
        "Drugi dom",
        "Topla kuća",
        "Vrijedne ruke",
        "Zeleni otok",
        "Stara kovačnica",
        "Lipov list",
        "Šareni svijet",
        "Zajednički put",
        "Novi početak",
        "Most nade",
        "Sunčani sat",
        "Iskrica",
    ),
}
_NAME_PATTERNS = {
    ("SI", "social_enterprise"): ("Zadruga {}", "Zavod {}, so.p.", "{} d.o.o., so.p."),
    ("HR", "social_enterprise"): ("Socijalna zadruga {}", "Zadruga {}", "{} d.o.o."),
    ("SI", "ngo"): ("Društvo {}", "Zavod {}", "Društvo za socialno vključevanje {}"),
    ("HR", "ngo"): ("Udruga {}", "Udruga za socijalno uključivanje {}", "Centar za podršku {}"),
}
_TRADES = {
    "SI": (
        ("Mizarstvo", "izdeluje pohištvo po meri"),
        ("Pekarna", "peče kruh in pekovsko pecivo"),
        ("Vrtnarstvo", "vzgaja sadike in ureja vrtove"),
        ("Gradbeništvo", "izvaja gradbena in obnovitvena dela"),
        ("Čistilni servis", "čisti poslovne prostore"),
        ("Pralnica", "pere perilo za hotele in bolnišnice"),
        ("Kovinarstvo", "izdeluje kovinske konstrukcije"),
        ("Logistika", "skladišči in razvaža blago"),
        ("Gostilna", "ponuja domačo hrano in catering"),
        ("Tiskarna", "tiska in veže publikacije"),
        ("Avtoservis", "vzdržuje in popravlja vozila"),
    ),
    "HR": (
        ("Stolarija", "izrađuje namještaj po mjeri"),
        ("Pekara", "peče kruh i pekarske proizvode"),
        ("Vrtlarstvo", "uzgaja sadnice i uređuje vrtove"),
        ("Graditeljstvo", "izvodi građevinske i obnoviteljske radove"),
        ("Servis za čišćenje", "čisti poslovne prostore"),
        ("Praonica", "pere rublje za hotele i bolnice"),
        ("Bravarija", "izrađuje metalne konstrukcije"),
        ("Logistika", "skladišti i dostavlja robu"),
        ("Gostionica", "nudi domaću hranu i catering"),
        ("Tiskara", "tiska i uvezuje publikacije"),
        ("Autoservis", "održava i popravlja vozila"),
    ),
}
_TRADE_NAMES = {
    "SI": (
        "Hrast",
        "Lipa",
        "Bor",
        "Javor",
        "Smreka",
        "Breza",
        "Iskra",
        "Mlin",
        "Klas",
        "Most",
        "Sidro",
        "Vir",
        "Kamen",
        "Dren",
        "Brest",
        "Macesen",
        "Gaber",
        "Jesen",
    ),
    "HR": (
        "Hrast",
        "Lipa",
        "Bor",
        "Javor",
        "Smreka",
        "Breza",
        "Iskra",
        "Mlin",
        "Klas",
        "Most",
        "Sidro",
        "Izvor",
        "Kamen",
        "Dren",
        "Brijest",
        "Ariš",
        "Grab",
        "Jasen",
    ),
}
_SE_ACTIVITIES = {
    "SI": (
        "ponovno uporabo in popravilo rabljenih predmetov",
        "ekološko vrtnarjenje in predelavo hrane",
        "šiviljska dela in predelavo tekstila",
        "vzdrževanje zelenih površin",
        "catering in socialno gostinstvo",
        "izdelavo lesenih izdelkov",
        "dostavo in drobno logistiko",
    ),
    "HR": (
        "ponovnu uporabu i popravak rabljenih predmeta",
        "ekološki uzgoj i preradu hrane",
        "šivanje i preradu tekstila",
        "održavanje zelenih površina",
        "catering i socijalno ugostiteljstvo",
        "izradu drvenih proizvoda",
        "dostavu i malu logistiku",
    ),
}
_NGO_FOCUS = {
    "SI": (
        "pomoč ljudem v stiski",
        "delo z mladimi",
        "podporo starejšim",
        "vključevanje oseb z invalidnostjo",
        "preprečevanje zasvojenosti",
        "pomoč družinam",
        "medgeneracijsko sodelovanje",
        "razvoj prostovoljstva",
    ),
    "HR": (
        "pomoć osobama u potrebi",
        "rad s mladima",
        "podršku starijim osobama",
        "uključivanje osoba s invaliditetom",
        "prevenciju ovisnosti",
        "pomoć obiteljima",
        "međugeneracijsku suradnju",
        "razvoj volonterstva",
    ),
}
_MEMBER_TEXTS = {  # what: the activity, focus or trade phrase; town: the seat
    (
        "SI",
        "social_enterprise",
    ): "Socialno podjetje za {what}; zaposluje in usposablja ranljive skupine. Sedež: {town}.",
    (
        "HR",
        "social_enterprise",
    ): "Socijalno poduzeće za {what}; zapošljava i osposobljava ranjive skupine. Sjedište: {town}.",
    ("SI", "ngo"): "Nevladna organizacija za {what}; izvaja programe socialne aktivacije. Sedež: {town}.",
    ("HR", "ngo"): "Udruga za {what}; provodi programe socijalne aktivacije. Sjedište: {town}.",
    ("SI", "employer"): "Podjetje {what}; sprejema udeležence socialne aktivacije na delovne preizkuse. Sedež: {town}.",
    ("HR", "employer"): "Poduzeće {what}; prima korisnike socijalne aktivacije na radne probe. Sjedište: {town}.",
}
_STREETS = {
    "SI": (
        "Glavni trg",
        "Kolodvorska ulica",
        "Šolska ulica",
        "Vrtna ulica",
        "Industrijska cesta",
        "Obrtniška ulica",
        "Cesta svobode",
        "Lipova ulica",
        "Mlinska ulica",
        "Trg svobode",
        "Partizanska cesta",
        "Ulica talcev",
        "Cesta na grad",
        "Tovarniška cesta",
        "Sadna ulica",
    ),
    "HR": (
        "Glavna ulica",
        "Kolodvorska ulica",
        "Školska ulica",
        "Vrtna ulica",
        "Industrijska ulica",
        "Obrtnička ulica",
        "Trg slobode",
        "Lipova ulica",
        "Mlinska ulica",
        "Zagrebačka ulica",
        "Dravska ulica",
        "Mala ulica",
        "Ulica hrvatskih branitelja",
        "Tvornička ulica",
        "Voćarska ulica",
    ),
}
_CONTACTS = {
    "SI": {
        "social_work_centre": ("Koordinator/ka socialne aktivacije", "Strokovni/a delavec/ka", "Vodja enote"),
        "employment_office": ("Svetovalec/ka zaposlitve", "Vodja urada za delo"),
        "municipality": ("Svetovalec/ka za družbene dejavnosti", "Oddelek za družbene dejavnosti"),
        "adult_education": ("Organizator/ka izobraževanja odraslih", "Direktor/ica"),
        "health_provider": ("Vodja zdravstveno-vzgojnega centra", "Patronažna služba"),
        "ngo": ("Vodja programov", "Predsednik/ca društva", "Koordinator/ka prostovoljcev"),
        "social_enterprise": ("Direktor/ica", "Mentor/ica za delovno vključevanje", "Vodja programov"),
        "employer": ("Vodja kadrovske službe", "Direktor/ica", "Mentor/ica na delovnem mestu"),
    },
    "HR": {
        "social_work_centre": ("Koordinator/ica socijalne aktivacije", "Stručni/a suradnik/ca", "Ravnatelj/ica"),
        "employment_office": ("Savjetnik/ca za zapošljavanje", "Voditelj/ica ureda"),
        "municipality": ("Savjetnik/ca za socijalnu skrb", "Upravni odjel za društvene djelatnosti"),
        "adult_education": ("Voditelj/ica obrazovanja odraslih", "Ravnatelj/ica"),
        "health_provider": ("Voditelj/ica službe za javno zdravstvo", "Patronažna služba"),
        "ngo": ("Voditelj/ica programa", "Predsjednik/ca udruge", "Koordinator/ica volontera"),
        "social_enterprise": ("Direktor/ica", "Mentor/ica za radnu integraciju", "Voditelj/ica programa"),
        "employer": ("Voditelj/ica ljudskih potencijala", "Direktor/ica", "Mentor/ica na radnom mjestu"),
    },
}
_HUBS = {  # kind -> (Slovenian, Croatian) (name, key, description); "network" is the regional NGO network
    "social_work_centre": (
        (
            "Center za socialno delo {town}",
            "csd-{town}",
            "Javni zavod za socialnovarstvene storitve in enotna vstopna točka za socialno aktivacijo "
            "na območju {region}.",
        ),
        (
            "Centar za socijalnu skrb {town}",
            "czss-{town}",
            "Javna ustanova socijalne skrbi i ulazna točka za socijalnu aktivaciju na području {region}.",
        ),
    ),
    "employment_office": (
        (
            "Zavod RS za zaposlovanje, Urad za delo {town}",
            "ud-{town}",
            "Urad za delo svetuje brezposelnim, posreduje zaposlitve in izvaja ukrepe aktivne politike zaposlovanja.",
        ),
        (
            "Hrvatski zavod za zapošljavanje, {office} {town}",
            "hzz-{office_key}-{town}",
            "Ured javne službe za zapošljavanje: savjetovanje nezaposlenih, posredovanje i mjere aktivne politike.",
        ),
    ),
    "municipality": (
        (
            "{municipality} {town}",
            "{municipality_key}-{town}",
            "Lokalna skupnost, ki sofinancira socialne programe in nevladne organizacije.",
        ),
        ("Grad {town}", "grad-{town}", "Jedinica lokalne samouprave koja sufinancira socijalne programe i udruge."),
    ),
    "adult_education": (
        (
            "Ljudska univerza {town}",
            "lu-{town}",
            "Javni zavod za izobraževanje odraslih s programi neformalnega izobraževanja za udeležence aktivacije.",
        ),
        (
            "Pučko otvoreno učilište {town}",
            "puo-{town}",
            "Ustanova za obrazovanje odraslih s programima osposobljavanja za korisnike socijalne aktivacije.",
        ),
    ),
    "health_provider": (
        (
            "Zdravstveni dom {town}",
            "zd-{town}",
            "Zdravstveni dom s preventivnimi programi; sodeluje pri obravnavi udeležencev z zdravstvenimi težavami.",
        ),
        (
            "Dom zdravlja {town}",
            "dz-{town}",
            "Dom zdravlja s preventivnim programima; surađuje u radu s korisnicima sa zdravstvenim teškoćama.",
        ),
    ),
    "network": (
        (
            "Mreža nevladnih organizacij {region}",
            "mreza-nvo-{region_key}",
            "Regionalno stičišče, ki povezuje in zastopa nevladne organizacije na območju {region}.",
        ),
        (
            "Mreža udruga {region}",
            "mreza-udruga-{region_key}",
            "Regionalna mreža koja povezuje i zastupa udruge na području {region}.",
        ),
    ),
}
_NOTES = {  # purpose of a tie -> (Slovenian, Croatian) note; the source organisation picks the language
    "csd_office": (
        "Enotna vstopna točka: usklajena obravnava skupnih uporabnikov",
        "Koordinirano postupanje prema zajedničkim korisnicima",
    ),
    "referral": ("Napotitve v programe socialne aktivacije", "Upućivanje korisnika u programe socijalne aktivacije"),
    "work_trial": ("Delovni preizkusi in prehod na odprti trg dela", "Radne probe i prijelaz na otvoreno tržište rada"),
    "employment": ("Subvencionirane zaposlitve in javna dela", "Mjere aktivne politike zapošljavanja"),
    "funding": ("Sofinanciranje iz občinskega razpisa", "Sufinanciranje iz proračuna jedinice lokalne samouprave"),
    "membership": ("Članstvo v regionalni mreži", "Članstvo u regionalnoj mreži"),
    "training": ("Programi izobraževanja za udeležence", "Programi obrazovanja za korisnike"),
    "health": ("Preventivni zdravstveni programi za udeležence", "Preventivni zdravstveni programi za korisnike"),
    "cross_border": ("Čezmejna izmenjava dobrih praks", "Prekogranična razmjena dobrih praksi"),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _genitive(country: str, region: str) -> str:
    if region == "Grad Zagreb":
        return "Grada Zagreba"
    words = [word[:-1] + "e" if word.endswith("a") else word for word in region.split()]
    suffix = " regije" if country == "SI" and len(words) == 1 else ""
    return " ".join(words) + suffix


def _distance_km(a: dict[str, Any], b: dict[str, Any]) -> float:
    return float(haversine_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"]))


def _phone(region: str, rng: random.Random) -> str:
    code = _AREA_CODES[region]
    if region in REGIONS["SI"]:
        return f"+386 {code} 555 {rng.randrange(100):02d} {rng.randrange(100):02d}"
    if code == "1":
        return f"+385 1 555 {rng.randrange(10000):04d}"
    return f"+385 {code} 555 {rng.randrange(1000):03d}"


def _town(country: str, town: str) -> Place:
    """A town the demo names: always in the gazetteer."""
    found = find_place(country, town)
    if found is None:
        raise LookupError(f"the demo names {town} ({country}), which the gazetteer does not know")
    return found


def _organisation(
    key: str,
    name: str,
    kind: str,
    place: Place,
    rng: random.Random,
    jitter: float,
    *,
    address: str,
    languages: list[str] | set[str],
    website: bool,
    contact_person: str,
    description: str,
    registry_id: str,
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "country": place.country,
        "region": place.region,
        "municipality": place.name,
        "address": address,
        "postcode": _POSTCODES.get(place.name, ""),
        "latitude": round(place.latitude + rng.uniform(-jitter, jitter), 5),
        "longitude": round(place.longitude + rng.uniform(-jitter, jitter), 5),
        "languages": sorted(languages, key=_LANGUAGE_ORDER.index),
        "email": f"info@{key}.example.org",
        "phone": _phone(place.region, rng),
        "website": f"https://{key}.example.org" if website else "",
        "contact_person": contact_person,
        "description": description,
        "registry_id": registry_id,
    }


def _tie(
    source: str, target: str, kind: str, since: date | None, until: date | None, strength: int, note: str
) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
        "kind": kind,
        "since": since,
        "until": until,
        "strength": strength,
        "note": note,
    }


def real_network() -> tuple[list[dict], list[dict]]:
    """The 2SoKroG partners and the other organisations the project documents name, with their ties."""
    organisations = []
    for key, kind, country, town, name, address, languages, contact, description in _REAL_ORGANISATIONS:
        # Seeded by key so that organisations sharing a town do not sit on one map pin.
        organisations.append(
            _organisation(
                key,
                name,
                kind,
                _town(country, town),
                random.Random(key),
                0.008,
                address=address,
                languages=languages.split(),
                website=True,
                contact_person=contact,
                description=description,
                registry_id="",
            )
        )
    note = "2SoKroG, Interreg V-A Slovenija–Hrvatska"
    ties = [
        _tie(a, b, "project_partner", PROJECT_START, PROJECT_END, 5, note)
        for a, b in itertools.combinations(PROJECT_PARTNERS, 2)
    ]
    ties += [
        _tie(
            LEAD_PARTNER,
            key,
            "associated_partner",
            PROJECT_START,
            PROJECT_END,
            3,
            "Pridruženi partner projekta 2SoKroG",
        )
        for key in ASSOCIATED_PARTNERS
    ]
    ties += [_tie(*row) for row in _REAL_TIES]
    return organisations, ties


class _Layer:
    """The synthetic organisations and ties, built around the real network without touching its ties."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        real_orgs, real_ties = real_network()
        self.real_keys = {org["key"] for org in real_orgs}
        self.everyone = list(real_orgs)
        self.keys = set(self.real_keys)
        self.names = {org["name"] for org in real_orgs}
        # Public services a real organisation already provides in its town are not invented again.
        self.covered = {
            (org["kind"], org["municipality"])
            for org in real_orgs
            if org["kind"] in ("social_work_centre", "employment_office", "adult_education")
        }
        self.ties_seen = {(frozenset((t["source"], t["target"])), t["kind"]) for t in real_ties}
        self.organisations: list[dict] = []
        self.networks: list[dict] = []  # the regional NGO networks, which other NGOs join
        self.ties: list[dict] = []

    # -- organisations ------------------------------------------------------

    def add(self, kind: str, place: Place, name: str, description: str, key: str = "") -> dict | None:
        if name in self.names:
            return None
        base = key or re.sub(r"(-d-o-o|-so-p)+$", "", _slug(name))
        key, n = base, 1
        while key in self.keys:
            n += 1
            key = f"{base}-{n}"
        country = place.country
        rng = self.rng
        languages = {"sl" if country == "SI" else "hr"}
        if rng.random() < 0.5:
            languages.add("en")
        if rng.random() < 0.15:
            languages.add("de")
        if place.region in _MINORITY_LANGUAGES and rng.random() < 0.5:
            languages.add(_MINORITY_LANGUAGES[place.region])
        if place.region in PROJECT_REGIONS and rng.random() < 0.3:
            languages.add("hr" if country == "SI" else "sl")
        number = f"{rng.randint(1, 60)}{rng.choice(('', '', '', '', 'a'))}"
        org = _organisation(
            key,
            name,
            kind,
            place,
            rng,
            0.015,
            address=f"{rng.choice(_STREETS[country])} {number}",
            languages=languages,
            website=rng.random() < 0.7,
            contact_person=rng.choice(_CONTACTS[country][kind if kind in _CONTACTS[country] else "ngo"]),
            description=description,
            registry_id=f"DEMO-{country}-{len(self.organisations) + 1:04d}" if rng.random() < 0.8 else "",
        )
        self.keys.add(key)
        self.names.add(name)
        self.everyone.append(org)
        self.organisations.append(org)
        return org

    def add_hub(self, kind: str, place: Place, seat: bool = True) -> None:
        if (kind, place.name) in self.covered:
            return
        city = place.name in _CITY_MUNICIPALITIES
        fields = {
            "town": place.name,
            "region": _genitive(place.country, place.region),
            "region_key": place.region,
            "office": "Područni ured" if seat else "Ispostava",
            "office_key": "pu" if seat else "isp",
            "municipality": "Mestna občina" if city else "Občina",
            "municipality_key": "mo" if city else "obcina",
        }
        name, key, description = (part.format(**fields) for part in _HUBS[kind][place.country != "SI"])
        org = self.add("ngo" if kind == "network" else kind, place, name, description, _slug(key))
        if org and kind == "network":
            self.networks.append(org)

    def add_member(self, kind: str, place: Place) -> None:
        country, rng = place.country, self.rng
        for _ in range(50):
            if kind == "employer":
                trade, what = rng.choice(_TRADES[country])
                name = f"{trade} {rng.choice(_TRADE_NAMES[country])} d.o.o."
            else:
                name = rng.choice(_NAME_PATTERNS[country, kind]).format(rng.choice(_PHRASES[country]))
                what = rng.choice((_SE_ACTIVITIES if kind == "social_enterprise" else _NGO_FOCUS)[country])
            if name not in self.names:
                self.add(kind, place, name, _MEMBER_TEXTS[country, kind].format(what=what, town=place.name))
                return
        raise RuntimeError(f"ran out of {kind} names for {country}")

    def populate(self, country: str, region: str) -> None:
        project = region in PROJECT_REGIONS
        centres = [_town(country, town) for town in _CENTRES[region]]
        for index, town in enumerate(centres):
            kinds = ["social_work_centre", "employment_office"]
            if project:
                kinds += ["municipality", "adult_education"] + (["health_provider"] if index == 0 else [])
            for kind in kinds:
                self.add_hub(kind, town, seat=index == 0)
        self.add_hub("network", centres[0])
        rng = self.rng
        counts = (5, 5, 6) if project else (1, 1, rng.randint(1, 2))
        local = [place for place in places() if place.country == country and place.region == region]
        weights = [4 if place.name in _CENTRES[region] else 1 for place in local]
        for kind, count in zip(("social_enterprise", "ngo", "employer"), counts, strict=True):
            for _ in range(count):
                self.add_member(kind, rng.choices(local, weights)[0])

    # -- ties ---------------------------------------------------------------

    def of_kind(self, kind: str) -> list[dict]:
        networks = {org["key"] for org in self.networks}
        return [org for org in self.everyone if org["kind"] == kind and org["key"] not in networks]

    def link(self, source: dict, target: dict, kind: str, strength: int, note: str, earliest: int = 2015) -> None:
        pair = (frozenset((source["key"], target["key"])), kind)
        if source["key"] == target["key"] or pair in self.ties_seen:
            return
        if source["key"] in self.real_keys and target["key"] in self.real_keys:
            return  # only the documents may tie two real organisations
        self.ties_seen.add(pair)
        rng = self.rng
        first = date(earliest, 1, 1)
        since = first + timedelta(days=rng.randrange((date(2024, 12, 31) - first).days + 1))
        until = since + timedelta(days=rng.randint(365, 5 * 365)) if rng.random() < 0.12 else None
        local = 0 if source["country"] == "SI" else 1
        self.ties.append(
            _tie(
                source["key"],
                target["key"],
                kind,
                since,
                until,
                strength,
                _NOTES[note][local] if rng.random() < 0.85 else "",
            )
        )

    def near(self, org: dict, candidates: list[dict], km: float, limit: int) -> list[dict]:
        """The closest candidates in the same country within km, nearest first."""
        same = [c for c in candidates if c["country"] == org["country"]]
        if not same:
            return []
        km_to = haversine_km(
            org["latitude"], org["longitude"], [c["latitude"] for c in same], [c["longitude"] for c in same]
        )
        reach = [(float(d), c) for d, c in zip(km_to, same, strict=True) if d <= km]
        return [c for _, c in sorted(reach, key=lambda pair: pair[0])][:limit]

    def connect(self) -> None:
        rng = self.rng
        centres, offices = self.of_kind("social_work_centre"), self.of_kind("employment_office")
        enterprises, employers = self.of_kind("social_enterprise"), self.of_kind("employer")
        ngos = self.of_kind("ngo")
        for centre in centres:
            for office in offices:
                if office["region"] == centre["region"]:
                    self.link(centre, office, "cooperation", 4, "csd_office")
            for org in self.near(centre, enterprises + ngos, 40, 10):
                strength = 4 if _distance_km(centre, org) < 10 else rng.randint(2, 3)
                self.link(centre, org, "referral_agreement", strength, "referral")
        for enterprise in enterprises:
            for employer in self.near(enterprise, employers, 40, 4):
                self.link(enterprise, employer, "cooperation", rng.randint(2, 4), "work_trial")
        for office in offices:
            for employer in self.near(office, employers, 35, 8):
                if employer["region"] == office["region"]:
                    self.link(office, employer, "cooperation", 3, "employment")
        for municipality in self.of_kind("municipality"):
            for org in self.near(municipality, ngos + enterprises, 25, 8):
                self.link(municipality, org, "funding", rng.randint(2, 4), "funding")
        for hub in self.networks:
            for org in ngos + enterprises:
                if org["region"] == hub["region"] and (org["kind"] == "ngo" or rng.random() < 0.5):
                    self.link(org, hub, "membership", 2, "membership")
        for school in self.of_kind("adult_education"):
            for org in self.near(school, centres + offices, 30, 6):
                self.link(school, org, "cooperation", 3, "training")
        for clinic in self.of_kind("health_provider"):
            for centre in self.near(clinic, centres, 25, 2):
                self.link(clinic, centre, "cooperation", 3, "health")
        border = [
            org
            for org in self.organisations
            if org["region"] in PROJECT_REGIONS and org["kind"] in ("social_enterprise", "ngo", "adult_education")
        ]
        slovenian = [org for org in border if org["country"] == "SI"]
        croatian = [org for org in border if org["country"] == "HR"]
        for _ in range(15):
            self.link(
                rng.choice(slovenian),
                rng.choice(croatian),
                "cooperation",
                rng.randint(2, 3),
                "cross_border",
                earliest=2018,
            )


def generated_network(seed: int = 2018) -> tuple[list[dict], list[dict]]:
    """A synthetic regional layer; its ties also reach the real organisations, so load it with real_network()."""
    layer = _Layer(seed)
    for country, regions in REGIONS.items():
        for region in regions:
            layer.populate(country, region)
    layer.connect()
    return layer.organisations, layer.ties
