"""The data of ``natural/v1``: answer lists, request frames, openers, closers and replies.

A ``natural/v1`` key is an ordinary request to an assistant for ONE short item of one of five
types, and its committed answer is an item of that type's list picked by a hash of the key (the
scheme is :mod:`modelprint.protocol.scheme_natural`). This module holds only data:

* the answer lists: :data:`NAMES` (given names), :data:`WORDS` (one-word answers), places
  (every :data:`PLACE_HEADS` item followed by every :data:`PLACE_TAILS` item, ``"Ashford"``),
  brands (every :data:`BRAND_FIRST` word, a space, every :data:`BRAND_SECOND` word,
  ``"Copper Kettle"``) and, built by the scheme, the numbers ``"1"`` to ``"1000"``. All items
  are distinct case-insensitively across the lists, and no item's words begin another item's
  words, so an answer found in a reply belongs to exactly one list;
* the request grammar: :data:`FRAMES` (templates per answer type), :data:`SLOTS` (the options
  for each ``{slot}`` of a template), :data:`OPENERS` and :data:`CLOSERS` (how a message may
  begin and end; ``""`` is one of each). A key is ``opener + frame + closer`` with its slots
  filled;
* :data:`REPLIES`: short natural replies per type, each with one ``{answer}``.

Changing any list changes the keys and answers of ``natural/v1``: the order of every tuple is
normative. tests/protocol/test_natural_data.py checks the rules the lists keep.
"""

from __future__ import annotations

__all__ = [
    "BRAND_FIRST",
    "BRAND_SECOND",
    "CLOSERS",
    "FRAMES",
    "NAMES",
    "OPENERS",
    "PLACE_HEADS",
    "PLACE_TAILS",
    "REPLIES",
    "SLOTS",
    "WORDS",
]

# Given names for people, pets and characters, grouped by the languages they come from; none
# is an ordinary English word (checked against a dictionary when the list was made).
_NAMES_BY_ORIGIN: dict[str, str] = {
    "English, Scottish, Irish and Welsh": """
        Amelia Harriet Eleanor Felix Beatrice Arthur Matilda Edmund Percival Rosalind
        Imogen Mabel Edith Agnes Cecil Dorothy Harold Irene Margaret Nigel Quentin
        Rupert Tobias Vivian Wilfred Alistair Barnaby Desmond Fiona Horace Isadora
        Lavinia Montague Octavia Reginald Thaddeus Alfred Dominic Evelyn Gwendolyn
        Humphrey Jocelyn Kenneth Philippa Rowena Vernon Wallace Winston Declan Finnegan
        Bronwyn Gareth Eilidh Morag Callum Siobhan Saoirse Ciaran Aoife Oisin Brendan
        Connor Fergus Malcolm Alasdair Isla Catriona Lachlan Euan Torin
    """,
    "German, Dutch and Scandinavian": """
        Greta Heinrich Friedrich Gunther Ingeborg Klaus Magda Wolfgang Gretchen Hilde
        Karsten Lotte Ulrich Wilhelm Bjorn Gunnar Lars Linnea Nils Oskar Solveig Sven
        Ulla Astrid Dagny Eirik Frode Gudrun Inga Joakim Leif Maren Stig Tove Vidar
        Anders Hedda Jens Pernille Soren Femke Joost Pieter Sanne Lieke Ruud Tjerk Anouk
        Thijs Hanneke
    """,
    "French": """
        Amelie Bastien Etienne Fabien Genevieve Henri Jacques Lucien Manon Margaux Odile
        Remy Sylvie Thibault Yannick Aurelie Benoit Damien Elodie Florian Gaspard
        Josephine Laurent Mathilde Nicolas Perrine Raphael Sandrine Solange Vivienne
        Gaelle Marius Juliette Anatole Berenice
    """,
    "Italian, Spanish and Portuguese": """
        Alessandro Chiara Enzo Federica Giacomo Lorenzo Luca Nicoletta Salvatore Teodora
        Alessia Bruno Carmela Elio Fabrizio Ilaria Luigi Matteo Pietro Raffaele Serena
        Umberto Valentina Benicio Carmen Diego Fernando Guadalupe Ignacio Leticia Mateo
        Nieves Ramiro Soledad Xavier Yolanda Alonso Catalina Emilio Graciela Lucia
        Marisol Ximena Joaquin Paloma Adriana Anselmo Duarte Ines Joao Mafalda Tiago
        Vasco Teodoro Rosario
    """,
    "Slavic, Romanian and Hungarian": """
        Anastasia Dmitri Ekaterina Galina Igor Lyudmila Mikhail Oksana Svetlana Tatiana
        Yelena Zinaida Darya Milena Stanislav Wojciech Bartosz Grzegorz Jadwiga Lukasz
        Malgorzata Zofia Zuzana Jiri Milos Dusan Dragana Jelena Vesna Zoran Ljubica
        Andrei Ioana Sorin Lajos Gyorgy Imre Ferenc Aniko Laszlo
    """,
    "Greek": """
        Athena Dimitris Georgios Ioannis Kostas Stavros Vasilis Yiannis Eftychia Despina
        Spyros Thanos
    """,
    "Arabic, Persian, Turkish and Hebrew": """
        Amira Dalia Farid Idris Karim Layla Nadia Rashid Samira Yasmin Khalid Hamza
        Rania Nabil Soraya Leila Najib Sanaa Youssef Zahra Basma Fadi Hala Jalal Kamal
        Maher Qasim Rami Wafa Zaki Darius Golnar Mehrdad Nasrin Roya Ardeshir Bahram
        Dariush Jamshid Kourosh Mahsa Omid Payam Taraneh Azadeh Behrouz Elif Ceren Deniz
        Gokhan Irem Kerem Nazli Selin Tolga Zeynep Baris Defne Ilker Murat Serkan Umut
        Eitan Shira Tamar Dafna Hadas Idan Meir Oren Rivka Tovah Ziva Amos Ronit
    """,
    "South Asian": """
        Aarav Arjun Deepika Kavya Manish Nandini Rahul Tanvi Yash Aditi Chetan Gaurav
        Harsha Jaya Madhuri Neha Rohan Uday Varun Devika Gita Ishita Jyoti Meera Pallavi
        Rajesh Tarun Vivek Anika Chitra Esha Hari Leela Naveen Rekha Sachin Vishal Imran
        Ayesha Fatima Junaid Sana Waqar Rizwan Tahira Dilip Suresh Lalitha Anand Prakash
    """,
    "East and Southeast Asian": """
        Haruki Emiko Kenji Mariko Ryota Takeshi Aiko Daichi Hideo Kaori Masaru Tomoko
        Yoshiro Chihiro Goro Isamu Junko Keiko Noriko Reiko Shinji Takumi Jiwoo Seoyeon
        Jisoo Taeyang Dongwoo Jaehyun Sungmin Jihoon Soojin Chaeyoung Lian Yufei Zhihao
        Guang Jiahui Mingyu Ruolan Shufen Xiuying Zhiwei Yiming Linh Minh Quang Huong
        Nguyet Trung Somchai Kanya Chaiya Anong Dara Vanna
    """,
    "African": """
        Abebe Amara Ayodele Chidi Chiamaka Dayo Emeka Folake Kwame Kofi Abena Efua Kojo
        Obinna Nnamdi Oluwaseun Tunde Yetunde Baraka Jabari Kamau Njeri Otieno Zawadi
        Neema Tendai Chipo Rudo Tafadzwa Thabo Sipho Naledi Zanele Bongani Lindiwe
        Mandla Palesa Thandiwe Ayana Selam Tigist Meron Kidane Lulit Hodan Faduma Omari
        Aminata Fatou Mariama Cheikh Binta Khadija Mamadou Sekou
    """,
    "Polynesian, Maori and Mesoamerican": """
        Keoni Mahina Kalani Noelani Ikaika Tane Manaia Rangi Hemi Sione Mele Itzel
        Citlali Nayeli Amaru
    """,
}

NAMES: tuple[str, ...] = tuple(name for text in _NAMES_BY_ORIGIN.values() for name in text.split())
"""512 given names, capitalized ASCII, 3 to 10 letters."""

# Nature, qualities, ideas, things and creatures, food and other evocative words.
_WORDS_TEXT = """
    ember drift velvet aurora breeze canyon cascade cinder coral crimson crystal dawn dusk
    echo fable flame flare frost glacier glade glimmer glow gossamer granite horizon indigo
    ivory jasmine lagoon lunar marble mist monsoon nebula nectar oasis obsidian onyx opal
    orbit pebble prism quartz quiver radiant ripple sapphire shadow shimmer silk solstice
    spark spiral storm summit tempest thunder tide timber torrent twilight umber vapor
    verdant vortex whisper wildfire zenith zephyr bold brave bright calm clever cozy daring
    eager fearless fierce gentle graceful jolly keen lively loyal merry mellow nimble noble
    plucky proud quiet restless rugged serene sharp sleek steady sturdy swift tender vivid
    warm wild wise witty zesty brisk crisp dreamy electric feral fluid fragile frosty hazy
    hushed luminous mighty misty moody mystic nomadic playful quirky rustic scrappy smoky
    spirited stellar stormy sunny tranquil untamed vibrant whimsical wistful cheerful anthem
    ascent balance bloom bounty candor chorus clarity comet courage crescent dream elixir
    enigma epic essence ether fervor flourish fortune freedom gravity harmony journey
    kindred legacy liberty marvel mirage momentum motion nova odyssey origin paradox pioneer
    pulse quest rally rebel renewal resolve rhythm saga solace spirit stride tenacity thrive
    triumph unity valor venture vigor virtue voyage wander wonder yonder zeal alder antler
    arrow aspen breaker cactus cairn candle caravan castle chalice cipher citadel clover
    cricket crown dune eagle falcon fiddle firefly fjord flint forge galaxy garnet geyser
    ginger griffin hickory hornet island jaguar kestrel koala lotus lynx magnet mango marsh
    meteor minnow mosaic moth mustang nomad nutmeg oracle orchid panther papaya parrot peach
    pepper phoenix pilot plume pollen poppy puzzle quill raven reef relic saddle sapling
    scarab sequoia sentinel spruce squall starling steeple sunflower tiger topaz totem trail
    tundra turtle valley viper walrus weaver yarrow zebra cosmos bonfire calypso carnival
    sorbet marzipan cinnamon caramel biscuit pretzel truffle toffee sherbet alchemy anvil
    apex arbor arcade atlas avalanche azure ballad bamboo banquet basalt bayou beetle
    blizzard blossom boulder bravado brilliant buoyant burrow cadence calico canopy carousel
    cavern chaos charcoal chestnut chimera cider citrus cloudy comfort crater crest crocus
    cyclone dapper daybreak delight denim dewdrop dynamo eclipse elegant elusive emerald
    encore equinox eternal evergreen fathom fiesta fireside flicker flutter folklore
    foxglove freckle fresco frolic fusion gallant galleon gambit garland gazelle glamour
    glisten goblin gondola grotto gusto halcyon hammock heather heirloom heritage hideaway
    highland hurricane icicle iguana inferno jamboree jubilee juggler karma kingdom
    labyrinth lark lava legend lilac limelight locket lullaby magma magnolia majesty
    mandolin mantle mariner marmalade mastery medley melody midnight miracle molten mongoose
    monarch moonbeam moonlight morning mulberry muse mystery nautilus nightfall nocturne
    nugget octave overture palace panorama parade paragon passion pastel pastry patchwork
    peony peppermint petal pinnacle pirate plateau porcelain prairie prelude promise pumpkin
    radiance ragtime rainbow rampart rapids reverie riddle rocket roving sagebrush sandstone
    satin savanna scarlet seashell serenade shamrock sierra slumber sojourn sonnet spectrum
    splendor stingray stoic sundown sunrise surge swagger symphony talisman tango tapestry
    thicket tinsel tornado trinket trombone tulip typhoon utopia vagabond vanilla vanguard
    verve vesper victory vigil vintage violin volcano waltz warrior whirlwind wisdom wizard
    woodland yearning zigzag gleaming pinwheel pixel espresso gemstone paisley safari
    skyline snowfall stardust teardrop upbeat
"""

WORDS: tuple[str, ...] = tuple(_WORDS_TEXT.split())
"""512 lowercase English words that make good one-word answers (evocative nouns and adjectives)."""

PLACE_HEADS: tuple[str, ...] = (
    "Ash", "Bram", "Thorn", "Elder", "Hol", "Kings", "Mar", "Nor",
    "Stan", "Wex", "Ald", "Brock", "Cal", "Dun", "Fern", "Gran",
    "Hart", "Lang", "Mill", "Pen", "Red", "Sel", "Tarn", "Whit",
    "Win", "Bright", "Cold", "Glen", "Kel", "Ravens", "Stone", "Oak",
)  # fmt: skip
"""First parts of place names; a place is a head followed by a tail (``"Ashford"``)."""

PLACE_TAILS: tuple[str, ...] = (
    "ford", "haven", "mere", "wick", "ton", "bury", "field", "ham",
    "wood", "dale", "brook", "stead", "worth", "ley", "by", "thorpe",
    "combe", "moor", "gate", "bridge", "holm", "stow", "well", "shaw",
)  # fmt: skip
"""Endings of place names."""

BRAND_FIRST: tuple[str, ...] = (
    "Copper", "Juniper", "Maple", "Silver", "Cedar", "Honey", "Birch", "Marigold",
    "Walnut", "Cobalt", "Saffron", "Linen", "Harbor", "Blue", "Golden", "Lucky",
    "Little", "Northern", "Hidden", "Rusty", "Crooked", "Painted", "Wandering", "Sleepy",
    "Humble", "Brass", "Cotton", "Pine", "Olive", "Lavender", "Hollow", "Salt",
)  # fmt: skip
"""First words of two-word business names."""

BRAND_SECOND: tuple[str, ...] = (
    "Thistle", "Lantern", "Fox", "Sparrow", "Kettle", "Anchor", "Acorn", "Owl",
    "Otter", "Hearth", "Compass", "Feather", "Spoon", "Ladder", "Barrel", "Wren",
    "Badger", "Rabbit", "Heron", "Meadow", "Beacon", "Bell", "Basket", "Moon",
    "Orchard", "Loom", "Hive", "Crow", "Kite", "Teapot", "Goat", "Workshop",
)  # fmt: skip
"""Second words of two-word business names; a brand is ``first + " " + second``."""

FRAMES: dict[str, tuple[str, ...]] = {
    "name": (
        "My {relative} in {city} just adopted {pet}. It's {temper}, it {habit}, and it has"
        " {marking}. What should we name it?",
        "We're bringing {pet} home from the shelter this weekend and still can't agree on a"
        " name. It {habit} already. What would you call it?",
        "I need a first name for {character} in {story}. Something {vibe}.",
        "What's a good name for {gadget}? It {gadget_habit}, so it has kind of earned one.",
        "Help me name {plant}. It lives on {spot} and is {plant_state}.",
        "I'm writing {story} about {character}. What first name would suit them?",
        "Our class is getting {pet} as a classroom pet, and the kids voted for me to pick what"
        " it's called. Ideally something {vibe}.",
        "I just bought {vehicle} and want to give it a proper human name, the way some people"
        " do with their cars. Which name fits?",
        "My {friend} is expecting a baby in {due} and asked me for ideas. They love names that"
        " are {vibe}. If you had to suggest one, what would it be?",
        "I'm knitting a stuffed {toy} for my {relative}'s kid and want to stitch a name onto"
        " its tummy. Which name would you choose?",
        "Our {team} just got {pet} as a mascot. It is {temper} and {habit}. Give it a first"
        " name, please.",
        "There's {wild_animal} that visits {outdoor_spot} every {visit_time}, and my {relative}"
        " insists it deserves a name. What should it be?",
        "I'm building a small robot for {event} and it needs a name before the judges see it."
        " It {gadget_habit}. Got a name for it?",
        "Can you come up with a first name for the AI assistant in {story}? It's {temper} and a"
        " bit too honest.",
        "Name suggestion needed: my {relative} found {pet} that {habit}, and we're keeping it.",
        "In {story}, {character} has gone unnamed for half the book now. Please give them a"
        " first name that feels {vibe}.",
    ),
    "number": (
        "I'm ordering a custom {sport} jersey for my {relative} from a shop in {city} that will"
        " print any number from 1 to 1000. Which one should go on the back?",
        "We're running a raffle at {gathering} to raise money for {cause}, with tickets numbered"
        " 1 to 1000. Can you pick the winning ticket?",
        "Playing a guessing game with my {relative} on {trip}: I think of a number between 1"
        " and 1000 and they try to find it with yes-or-no questions. Give me one that's hard to"
        " guess.",
        "My {gym} lets members choose their own locker, and they run from 1 to 1000. Which"
        " locker should I ask for?",
        "I need a number between 1 and 1000 to use as a hint in my password for {account}. Just"
        " tell me one.",
        "At {game_night}, every player secretly writes down a number from 1 to 1000, and whoever"
        " is closest to the host's number wins {prize}. What number would you write?",
        "Pick a seed for {generator}. Any whole number 1 to 1000 works.",
        "Our {team} is putting a number on the new logo, anything between 1 and 1000. Which"
        " should we use?",
        "My {relative} and I are starting a month-long {exercise} challenge. How many should we"
        " aim for in total, somewhere between 1 and 1000?",
        "For a scavenger hunt at {gathering}, I'm hiding a card with a secret number"
        " {hiding_place}. What should I write on it, if it has to be 1 to 1000?",
        "What number should I paint on my {numbered_thing}? The rules allow anything between 1"
        " and 1000.",
        "My {relative} wants a tattoo of a number between 1 and 1000 on their {body_part} but"
        " has no favorite. Pick one for them?",
        "Settle a debate at {gathering}: if you had to name a favorite number from 1 to 1000,"
        " which would it be?",
        "In {story}, a character lives at a house number I haven't decided yet. Give me one"
        " between 1 and 1000 that doesn't look made up.",
        "I'm designing {puzzle} and the final lock opens with a code from 1 to 1000. What"
        " should the code be?",
        "Every {sport} player in our league gets a number between 1 and 1000 for the season"
        " draw, and I get to choose mine. Which one do you like?",
    ),
    "place": (
        "I'm running {campaign} and the players just reached {place_kind} {region}. What's the"
        " town called?",
        "Give me a name for {place_kind} in {setting}. It's known for {feature}.",
        "What should I call the village where my {hero} grew up? It sits {region} and is famous"
        " for {feature}.",
        "Need a fictional English-sounding town name for {setting}, the kind of place with"
        " {feature}.",
        "On my campaign map there's {place_kind} {region} with no name yet, and the party gets"
        " there next session. What's it called?",
        "My {relative} and I are designing {board_game}, and one of the tiles is {place_kind}."
        " What name should the tile show?",
        "Could you invent the name of {place_kind} for a short film about {plot}?",
        "In my novel, a train breaks down outside {place_kind} {region}. I need the town's name,"
        " something believable.",
        "I'm building a model railway, and the little station needs a sign. The town is"
        " {place_kind} {region}. What goes on the sign?",
        "What's a good name for the sleepy town in {setting}? Think {feature} and not much else.",
        "Invent a place for me: {place_kind} {region}, where {yearly_event} is held every year."
        " What do people call it?",
        "The villain's hideout in {setting} is near a town I haven't named. It's {place_kind}"
        " with {feature}. Suggest a name?",
        "For a murder mystery party, the invitations say we're in a made-up village with"
        " {feature} and {weather}. What's the village called?",
        "Name the hometown of {character} in {story}. It should sound like a real place in"
        " England.",
        "Worldbuilding help, please: what would locals call {place_kind} {region} that is"
        " mostly remembered for {feature}?",
        "My kids are drawing a treasure map of an imaginary island and need a name for the only"
        " town on it, which has {feature}. What should they write next to it?",
    ),
    "brand": (
        "I'm opening {business} in {city} next spring. Can you suggest a two-word name for it?"
        " I want it to feel {brand_vibe}.",
        "My {relative} makes {product} and is finally selling them at {market}. What would you"
        " name the stall, in two words?",
        "We need a name for our {band_genre} band. Two words, nothing too serious.",
        "I just bought {boat}. What should I call it? I'd like a two-word name to paint on the"
        " side.",
        "Brainstorm with me: a two-word name for {project} that {project_goal}.",
        "My {relative} and I are starting {business} together, and we'd like just two words on"
        " the sign. What would you suggest?",
        "Could you come up with a name for my online shop, just two words? I sell {product},"
        " mostly to people around {city}.",
        "A friend is opening {business} on {street} and asked me for ideas. I'd like to send"
        " her a single suggestion of two words, something that sounds {brand_vibe}.",
        "What's a good two-word name for a food truck selling {food} in {city}?",
        "We're {studio} making {output} and need a studio name made of two words. What would"
        " you call us?",
        "Name my {craft} business for me in two words. I work out of {workspace}.",
        "I'm putting together a pop-up {popup} for one weekend in {city}. What name would look"
        " good on the flyer? I'm thinking two words.",
        "Our {band_genre} duo plays small cafes around {city}. What should we call ourselves?"
        " Two words, please.",
        "I'm registering a tiny {service} company and the form wants a name. Two words, and"
        " ideally {brand_vibe}?",
        "Help! Our {team} is launching {project} and we can't settle on a name. Two words that"
        " sound {brand_vibe} would be perfect.",
        "The boat my {relative} restored over the winter is {boat}, and it's launching soon."
        " What should she be called? Two words, like the old boats at the marina.",
    ),
    "word": (
        "If you had to sum up {described} in just one word, what would it be?",
        "My {relative} asked me to describe {described} with a single word and I froze. What"
        " word would you use?",
        "We need a one-word motto for our {team}. Something that captures {team_value}.",
        "Our {team} is entering {competition} and wants a one-word team name. What do you suggest?",
        "Give me a random word to build my new {login} password around. Nothing obvious,"
        " like a pet's name.",
        "Name a single word that feels like {scene}.",
        "For {art_project}, I want to stamp one word in big letters. What word should it be?",
        "What's one word that would make a good title for {creative}?",
        "I make small batches of {jar_product}, and each one gets a one-word name printed on"
        " the jar. This batch came out {batch_note}. What should it be called?",
        "Help me pick a single word to engrave inside the {gift} I'm giving my {relative} for"
        " {occasion}.",
        "Give me one word I can repeat as a mantra during {hard_stretch}.",
        "Our {team} is printing hoodies with a single word across the front. We're the kind of"
        " group that {team_trait}. What word fits us?",
        "Caption help: I'm posting a photo of {scene} and want just one word under it.",
        "I want a one-word tattoo on my wrist to remind me of {memory}. What word would you pick?",
        "Describe {described} in one word, please. My {relative} and I are trying to settle an"
        " argument.",
        "I'm choosing a one-word theme for {yearly_plan} this year. Any word that feels {mood}?",
    ),
}
"""Request templates of each answer type; ``{slot}`` fields are filled from :data:`SLOTS`."""

# fmt: off
SLOTS: dict[str, tuple[str, ...]] = {
    # -- people and groups (several types) ----------------------------------------------------
    "relative": (
        "sister", "brother", "mom", "dad", "grandma", "grandpa", "aunt", "uncle",
        "cousin", "best friend", "roommate", "neighbor", "girlfriend", "boyfriend", "wife",
        "husband", "daughter", "son", "niece", "nephew", "coworker", "partner", "stepmom",
        "stepdad", "godmother", "flatmate", "younger brother", "big sister", "older cousin",
        "college friend", "fiancee", "mother-in-law", "father-in-law", "sister-in-law",
        "brother-in-law", "godson", "goddaughter", "granddaughter", "grandson", "great-aunt",
        "twin sister", "twin brother", "oldest friend", "lab partner", "bandmate", "teammate",
        "housemate", "stepsister",
    ),
    "friend": (
        "best friend", "sister", "cousin", "coworker", "neighbor", "boss", "roommate",
        "daughter", "niece", "older sister", "sister-in-law", "yoga teacher", "oldest friend",
        "college friend", "manager", "dentist", "hairdresser", "teammate", "bandmate",
        "housemate", "daughter-in-law", "friend from work", "piano teacher", "landlady",
    ),
    "team": (
        "robotics team", "book club", "running group", "choir", "chess club", "climbing club",
        "pub quiz team", "startup", "fire station", "hiking club", "debate team",
        "soccer team", "roller derby league", "knitting circle", "volunteer crew",
        "night shift", "cycling club", "rowing crew", "science department", "kitchen staff",
        "drama society", "school band", "marketing team", "nursing team", "research lab",
        "scout troop", "dance troupe", "swim team", "garden club", "writing group", "family",
        "camp staff", "IT department", "neighborhood watch", "coding club",
        "bird-watching group", "trivia team", "rugby club", "sailing club", "baking club",
        "film society", "support group", "poker group", "study group", "open-source project",
        "esports team", "youth orchestra", "ski club",
    ),
    "city": (
        "Portland", "Leeds", "Austin", "Melbourne", "Toronto", "Denver", "Glasgow", "Dublin",
        "Auckland", "Seattle", "Bristol", "Boston", "Chicago", "Vancouver", "Edinburgh",
        "Manchester", "Brisbane", "Calgary", "Nashville", "Cardiff", "Perth", "Halifax",
        "Ottawa", "Minneapolis", "Pittsburgh", "Sacramento", "Wellington", "Adelaide",
        "Belfast", "Sheffield", "Brighton", "Norwich", "York", "Tucson", "Raleigh",
        "Richmond", "Omaha", "Boise", "Madison", "Spokane", "Tampa", "Asheville", "Montreal",
        "Hobart", "Liverpool", "Newcastle", "Nottingham", "Birmingham", "Leicester",
        "Aberdeen", "Dundee", "Galway", "Canberra", "Winnipeg", "Baltimore", "Cleveland",
        "Detroit", "Milwaukee", "Kansas City", "Tacoma", "Albuquerque", "Charleston",
        "Louisville", "Cincinnati",
    ),
    "story": (
        "my fantasy novel", "a short story", "my sci-fi screenplay", "a cozy mystery",
        "a bedtime story for my kids", "a radio play", "my webcomic", "a murder mystery",
        "a graphic novel", "a podcast drama", "a choose-your-own-adventure book",
        "a romance novel", "a horror short story", "my first novel", "a puppet show",
        "an audio drama", "a stage play", "my thriller", "a fairy tale retelling",
        "a ghost story", "a detective series", "a comic strip", "a western", "a space opera",
        "a historical novel", "a heist story", "a children's picture book", "a sitcom script",
        "my fan fiction", "a spy novel", "a road-trip novel", "a dystopian novella",
        "a soap opera parody", "a musical", "a short film script", "a text adventure game",
        "a narrative video game", "my creative writing assignment", "a family saga",
        "a sea adventure", "a steampunk story", "a superhero comic", "a Christmas story",
        "a noir short story", "a time-travel novel", "a coming-of-age novel", "a screenplay",
        "a pirate story",
    ),
    "character": (
        "a retired detective", "the ship's cook", "a young witch", "the narrator's grandmother",
        "a grumpy lighthouse keeper", "an android butler", "the villain's sidekick",
        "a runaway princess", "a traveling musician", "a small-town sheriff",
        "an elderly botanist", "a teenage hacker", "the innkeeper", "a disgraced knight",
        "a space pilot", "a ghost who haunts a library", "a talking crow", "the hero's mentor",
        "a nervous wizard's apprentice", "a con artist", "a mountain guide", "a village baker",
        "a court jester", "a lonely robot", "a marine biologist", "a young dragon",
        "a smuggler captain", "a forensic accountant", "the town mayor", "a fortune teller",
        "a time traveler", "a night-shift nurse", "a retired boxer", "a shy librarian",
        "a street magician", "a war reporter", "a beekeeper", "a disgraced chef",
        "a cheerful undertaker", "a rookie firefighter", "a royal gardener", "a pickpocket",
        "a deep-sea diver", "a traveling salesman", "a schoolteacher with a secret",
        "a ship's doctor", "a reluctant heir", "a museum night guard",
    ),
    # -- name ----------------------------------------------------------------------------------
    "pet": (
        "a tabby kitten", "a beagle puppy", "a rescue greyhound", "a lop-eared rabbit",
        "an old tortoise", "a guinea pig", "a ferret", "a cockatiel", "a bearded dragon",
        "a corgi", "a black cat", "a hedgehog", "a budgie", "a chinchilla", "a border collie",
        "a husky", "a leopard gecko", "an axolotl", "a pet rat", "a Shetland pony",
        "a goldfish", "a Maine Coon", "a dachshund", "a ginger cat", "a pug", "a poodle",
        "a sheepdog", "a Siamese cat", "a hamster", "a terrier", "a miniature pig",
        "a baby goat", "a duckling", "a hermit crab", "a tarantula", "a canary",
        "a Labrador puppy", "a lovebird", "a gerbil", "a cockapoo", "a Samoyed",
        "a rescue mutt", "a chihuahua", "a Persian cat", "a stray kitten", "a Great Dane",
        "a senior cat", "a parrot", "a box turtle", "a corn snake", "a Dalmatian",
        "a sphynx cat", "an Irish wolfhound", "a whippet", "a dwarf rabbit", "a mouse",
        "a calico cat", "a basset hound", "a fancy rat", "a cocker spaniel",
        "a snowy white kitten", "a bulldog", "a tuxedo cat", "a shih tzu",
    ),
    "temper": (
        "shy", "playful", "clumsy", "bossy", "very chatty", "a little grumpy", "super gentle",
        "fearless", "lazy", "nosy", "dramatic", "sweet", "jumpy", "stubborn", "mischievous",
        "calm", "greedy", "cuddly", "curious", "anxious", "sassy", "goofy", "quiet", "hyper",
        "clingy", "aloof", "moody", "polite", "loud", "fussy", "cheeky", "grumpy", "sleepy",
        "a total diva", "very brave", "easily spooked", "extremely vocal", "oddly serious",
        "a bit shy", "very affectionate", "always hungry", "suspicious of everyone",
        "incredibly patient", "scared of the dark", "completely fearless", "endlessly curious",
        "friendly with everyone", "bad at sitting still",
    ),
    "habit": (
        "steals socks", "sleeps in the sink", "yells at the birds outside",
        "follows us everywhere", "hides under the bed", "chews on everything", "snores loudly",
        "loves car rides", "hates the vacuum", "knocks things off tables", "waits by the door",
        "sits on the laptop", "hoards bottle caps", "sings at dawn", "stares at the wall",
        "sneezes when excited", "sleeps upside down", "steals food off plates",
        "greets every visitor", "chases its own tail", "naps in the laundry basket",
        "refuses to use the stairs", "climbs the curtains", "rolls around in the grass",
        "talks back", "eats paper", "hates the rain", "loves bath time", "guards the fridge",
        "wakes everyone up at dawn", "watches TV with us", "plays fetch with ice cubes",
        "growls at its reflection", "sleeps on my head", "drinks from the tap",
        "digs holes everywhere", "carries a sock around", "jumps at shadows", "hides in boxes",
        "follows the sun around the house", "demands breakfast early", "steals the remote",
        "loves the washing machine", "tiptoes everywhere", "chirps at the window",
        "naps all afternoon", "keeps escaping the garden", "sulks when we leave",
    ),
    "marking": (
        "a white spot on its nose", "a crooked tail", "surprisingly big feet",
        "a very serious face", "a floppy ear", "a dark patch over its eye",
        "the loudest voice in the house", "tiny legs", "huge round eyes",
        "a stripe down its back", "a speckled belly", "a splash of orange on its chest",
        "fluffy cheeks", "a bent whisker", "a heart-shaped spot", "mismatched eyes",
        "a stubby tail", "a grey chin", "a tiny nick in its ear", "a pink nose",
        "freckles on its nose", "very long legs", "a permanently surprised look",
        "a little white sock on each paw", "a mohawk of fur", "a silly underbite",
        "a cloud-shaped patch", "big floppy ears", "a tail like a feather duster",
        "a stripy face", "a goatee", "an enormous appetite", "a squeaky bark",
        "eyebrows that never stop moving", "a dark mask", "soft golden fur", "a scar on its cheek",
        "spots everywhere", "a wonky smile", "a bushy tail",
    ),
    "vibe": (
        "old-fashioned", "short and punchy", "a little unusual", "easy to say",
        "warm and friendly", "slightly mysterious", "classic but not boring", "regal",
        "cheerful", "soft-sounding", "elegant", "a bit quirky", "timeless", "strong",
        "playful", "gentle", "bold", "sweet", "vintage", "modern", "simple", "earthy", "royal",
        "whimsical", "sturdy", "serious", "rare but easy to spell", "international",
        "nature-inspired", "a bit posh", "old-world", "musical", "bright and cheerful",
        "understated", "dignified", "upbeat", "cozy", "unique but not weird", "grown-up",
        "literary",
    ),
    "gadget": (
        "our robot vacuum", "my new sewing machine", "the office coffee machine",
        "my smart speaker", "our ancient laptop", "the lawn mower", "my e-bike",
        "the team's test server", "our dishwasher", "my car's sat nav", "the classroom printer",
        "my drone", "our rice cooker", "the cafe's espresso machine", "my electric kettle",
        "the warehouse forklift", "my telescope", "our garden robot", "the lab's centrifuge",
        "my old film camera", "our boiler", "my bread maker", "the family minivan",
        "my mechanical keyboard", "my resin printer", "the shop's cash register",
        "our washing machine", "my air fryer", "the school's projector", "our stand mixer",
        "the hospital's delivery robot", "my metal detector",
    ),
    "gadget_habit": (
        "beeps at random", "gets stuck under the couch", "breaks down every Monday",
        "makes a sad little noise when it starts", "has a mind of its own",
        "is louder than it should be", "only works if you talk nicely to it",
        "keeps rebooting itself", "hums while it works", "is missing a screw",
        "rattles when it gets excited", "wheezes like an old man", "blinks a lot",
        "never quite finishes the job", "plays a tune when it's done", "overheats in summer",
        "seems to judge me silently", "refuses to start on cold days", "spins in circles",
        "follows people around", "makes everyone laugh", "has survived a lot",
        "sounds like a purring cat", "groans when it starts up", "runs into walls",
        "flashes its lights at strangers", "never stops humming", "works better than it looks",
        "sulks when unplugged", "shudders dramatically", "squeaks constantly",
        "is covered in stickers",
    ),
    "plant": (
        "my new monstera", "a tiny cactus", "the fern my aunt gave me", "a huge rubber plant",
        "my basil plant", "our office peace lily", "a bonsai tree", "my sourdough starter",
        "an orchid", "a spider plant", "a snake plant", "my avocado seedling", "a lemon tree",
        "a pothos", "a Venus flytrap", "my tomato plant", "a jade plant", "an aloe",
        "my lucky bamboo", "a fiddle-leaf fig", "an old geranium", "a prayer plant",
        "a money tree", "a string-of-pearls",
    ),
    "spot": (
        "my kitchen windowsill", "the bookshelf", "my desk at work", "the bathroom shelf",
        "our balcony", "the piano", "my nightstand", "the fire escape", "the back porch",
        "the reception desk", "my dorm room windowsill", "the top of the fridge",
        "a stool by the door", "the upstairs landing", "my classroom windowsill",
        "the garden wall", "the dining table", "a shelf above the sink", "my bedside table",
        "the office filing cabinet", "the mantelpiece", "the stairs", "a sunny ledge",
        "the coffee table",
    ),
    "plant_state": (
        "growing like crazy", "barely hanging on", "taller than me now",
        "surprisingly dramatic about water", "the only thing I haven't killed",
        "leaning toward the light", "sprouting new leaves", "a bit droopy",
        "flowering for the first time", "absolutely thriving", "older than my car",
        "putting out a new shoot every week", "sulking since I moved it",
        "covered in tiny buds", "slowly taking over the room", "somehow still alive",
        "greener than ever", "recovering from a bad winter", "bigger than its pot",
        "full of baby plants", "very picky about sunlight", "growing in a teacup",
        "weirdly lopsided", "doing better than I am",
    ),
    "vehicle": (
        "a rusty old pickup", "a tiny red hatchback", "a secondhand camper van",
        "a vintage scooter", "a bright yellow kayak", "an old sailboat", "a cargo bike",
        "a tractor", "a classic Beetle", "a used minivan", "a tandem bicycle",
        "a motorbike with a sidecar", "a food truck", "a narrowboat", "a green Vespa",
        "an electric car", "a vintage Land Rover", "a hand-me-down sedan", "a mobility scooter",
        "a canoe", "a beat-up station wagon", "a retro caravan", "a golf cart",
        "a delivery van",
    ),
    "due": (
        "January", "February", "March", "April", "June", "July", "August", "September",
        "October", "November", "December", "the spring", "the fall", "early summer",
        "late winter", "a few weeks",
    ),
    "toy": (
        "octopus", "giraffe", "dinosaur", "whale", "elephant", "bunny", "bear", "fox", "owl",
        "dragon", "sloth", "penguin", "lion", "unicorn", "hedgehog", "mouse", "frog",
        "narwhal", "turtle", "llama", "monkey", "koala", "squid", "bat",
    ),
    "wild_animal": (
        "a fox", "a heron", "a squirrel with a torn ear", "a fat pigeon", "a hedgehog",
        "a raccoon", "a crow", "a deer", "a stray cat", "a duck", "a possum", "a badger",
        "a magpie", "a seagull", "a frog", "a rabbit", "a skunk", "a seal", "an owl",
        "a tortoiseshell cat", "a very bold robin", "a goose", "a toad", "a blackbird",
    ),
    "outdoor_spot": (
        "our garden", "the back porch", "my balcony", "the bird feeder",
        "the pond near our house", "the bus stop", "our campsite", "the parking lot at work",
        "our allotment", "the schoolyard", "our dock", "the bins behind our building",
        "the bench outside my office", "our vegetable patch", "the beach near our cafe",
        "the pier", "the church steps", "our back fence", "the farm shop",
        "the train platform", "my windowsill", "our picnic spot", "the golf course",
        "the library lawn",
    ),
    "visit_time": (
        "morning", "evening", "night", "afternoon", "weekend", "Sunday", "Monday", "Tuesday",
        "Wednesday", "Thursday", "Friday", "Saturday", "day at lunchtime",
        "day just before sunset", "morning at sunrise", "summer", "winter", "spring",
        "autumn", "day around noon",
    ),
    "event": (
        "the school science fair", "a maker faire", "a robotics competition",
        "my nephew's birthday", "a hackathon", "our office talent show",
        "a university demo day", "the county fair", "a museum workshop", "a kids' coding camp",
        "the library's maker day", "a charity auction", "a trade show", "a STEM open day",
        "our company's family day", "a local tech meetup", "an art installation",
        "a Halloween display", "a class project", "a science museum exhibit",
    ),
    # -- number --------------------------------------------------------------------------------
    "sport": (
        "hockey", "soccer", "basketball", "rugby", "volleyball", "softball",
        "ultimate frisbee", "water polo", "lacrosse", "netball", "cricket", "roller derby",
        "baseball", "handball", "futsal", "bowling", "curling", "kickball", "dodgeball",
        "field hockey", "flag football", "beach volleyball", "hurling", "korfball",
    ),
    "gathering": (
        "our school fair", "the church bake sale", "a charity gala", "the office holiday party",
        "our club's spring dinner", "the farmers market", "a fundraiser for the animal shelter",
        "my kid's soccer tournament", "our family reunion", "the county fair",
        "a neighborhood block party", "our wedding", "the library fundraiser",
        "a hospice fundraiser", "the rotary club dinner", "a community picnic",
        "a pub quiz night", "our company retreat", "the scout camp", "a New Year's Eve party",
        "a baby shower", "a birthday party", "our summer barbecue", "the staff picnic",
        "a gaming convention", "a school reunion", "the village fete", "a wine tasting",
        "a board game cafe", "the hospital gala", "a charity fun run", "our Halloween party",
        "a graduation party", "the pool party", "a housewarming", "the volunteer dinner",
        "a book fair", "a craft market", "a beach cleanup", "the firefighters' open day",
    ),
    "gym": (
        "new gym", "climbing gym", "swim club", "university gym", "boxing club", "yoga studio",
        "tennis club", "office gym", "CrossFit box", "leisure center", "community pool",
        "golf club", "rowing club", "rec center", "dance studio", "martial arts school",
        "ski club", "health club", "athletic club", "squash club",
    ),
    "account": (
        "my work laptop", "the family tablet", "an old email account", "my streaming account",
        "the shared photo album", "our Wi-Fi router", "my bank app", "the school portal",
        "my gaming console", "my phone", "the office printer", "my music account",
        "our smart TV", "my cloud storage", "the club's website", "a forum I use",
        "my online shop", "our home alarm", "my fitness tracker", "my library account",
        "my e-reader", "the team chat", "my bike lock app", "my diary app",
    ),
    "game_night": (
        "our board game night", "a house party", "a pub quiz", "family game night",
        "my kid's sleepover", "a birthday dinner", "the office party", "our camping trip",
        "a wedding reception", "a dorm party", "our weekly poker night", "a bachelorette party",
        "the youth club", "a baby shower", "a team-building day", "our book club",
        "a dinner party", "a holiday gathering", "our Friday hangout", "a classroom game",
        "a retirement party", "the family reunion", "a charity quiz", "our gaming stream",
    ),
    "generator": (
        "a procedurally generated map", "my dungeon generator", "a terrain generator",
        "our random seating chart", "a playlist shuffle", "a noise texture", "my roguelike",
        "a traffic simulation", "my random name generator", "a shuffled deck",
        "a lottery draw simulation", "a maze generator", "a cellular automaton",
        "a world in my sandbox game", "our class's random groups", "a load test",
        "a Monte Carlo run", "a train-test split", "a fractal render", "a puzzle generator",
        "my synth patch randomizer", "my art project's random colors", "a crossword generator",
        "my city builder map",
    ),
    "exercise": (
        "push-up", "squat", "sit-up", "burpee", "jumping jack", "lunge", "step-up", "crunch",
        "jump rope", "pull-up", "star jump", "calf raise", "kettlebell swing",
        "mountain climber", "plank", "wall sit", "tricep dip", "box jump", "glute bridge",
        "leg raise",
    ),
    "numbered_thing": (
        "go-kart", "soapbox car", "mailbox", "garden gate", "rowboat", "shed door",
        "skateboard", "helmet", "model rocket", "bike frame", "derby car", "dinghy", "kayak",
        "surfboard", "snowmobile", "lawn mower", "sled", "canoe", "hot air balloon",
        "racing drone",
    ),
    "puzzle": (
        "an escape room", "a scavenger hunt", "a puzzle box", "a treasure hunt for my kids",
        "a murder mystery game", "an online puzzle hunt", "a birthday quest", "a geocache",
        "a tabletop dungeon", "an alternate reality game", "a classroom breakout game",
        "a spy-themed party", "a crossword contest", "a haunted house walk",
        "a museum trail", "a team-building challenge", "an advent calendar", "a riddle trail",
        "a backyard adventure", "a video game level",
    ),
    "cause": (
        "the school library", "a new playground", "the animal shelter", "the local food bank",
        "our youth orchestra", "the lifeboat station", "new football kits", "the village hall roof",
        "a kids' summer camp", "the hospice", "a community garden", "the rescue horses",
        "the scout hut", "new books for the ward", "a wheelchair ramp", "the swim team's trip",
        "the choir's tour", "a family in need", "the river cleanup", "the town's fireworks",
    ),
    "trip": (
        "a long drive", "the train home", "a rainy afternoon", "a camping trip", "a long flight",
        "the bus to school", "a hike", "a ferry crossing", "a slow train", "a road trip",
        "a snow day", "a slow Sunday", "the walk to the beach", "a hospital visit",
        "a boring layover", "a picnic",
    ),
    "prize": (
        "the last slice of pizza", "a bottle of wine", "a homemade pie", "the front seat",
        "a jar of cookies", "a plastic trophy", "first pick of the snacks", "a box of chocolates",
        "a night off dishes", "a free coffee", "a paper crown", "the remote for the night",
        "a tiny medal", "a voucher for the bakery", "bragging rights", "a potted plant",
    ),
    "hiding_place": (
        "under a flowerpot", "inside a library book", "behind a painting", "in a teapot",
        "under the doormat", "taped beneath a bench", "in a hollow tree", "inside a rain boot",
        "under a loose brick", "in the glovebox", "in a jar in the shed", "behind the clock",
        "in a coat pocket", "under the piano lid", "in the cookie tin", "at the bottom of a vase",
    ),
    "body_part": (
        "ankle", "wrist", "forearm", "shoulder", "ribs", "collarbone", "calf", "back", "neck",
        "hip", "finger", "thigh", "upper arm", "shin", "foot", "elbow",
    ),
    # -- place ---------------------------------------------------------------------------------
    "campaign": (
        "a fantasy campaign", "a pirate campaign", "a D&D one-shot", "a Pathfinder game",
        "a homebrew campaign", "a horror one-shot", "a sci-fi campaign",
        "a Call of Cthulhu game", "a kids' roleplaying game", "a Western-themed game",
        "a steampunk campaign", "a mystery roleplay", "a weekly tabletop game",
        "a play-by-post game", "a Viking saga campaign", "a post-apocalyptic campaign",
        "a larp weekend", "a sword-and-sorcery game",
    ),
    "setting": (
        "my fantasy campaign", "a cozy mystery", "a board game", "a children's picture book",
        "my post-apocalyptic novel", "a video game", "a historical romance", "a radio drama",
        "a ghost story", "my worldbuilding project", "a folk song", "a sitcom",
        "a detective show", "a tabletop one-shot", "my D&D homebrew",
        "a point-and-click adventure", "a farming sim", "a horror podcast", "a western",
        "a fairy tale", "my zombie novel", "a pirate campaign", "a steampunk comic",
        "my webcomic", "a Victorian murder mystery", "a space colony game", "a bedtime story",
        "a soap opera", "a puppet show", "an animated short", "a gothic novel",
        "a cozy farming game",
    ),
    "place_kind": (
        "a fishing village", "a market town", "a mining town", "a mountain village",
        "a river port", "a border fort town", "a farming hamlet", "a seaside town",
        "a mill town", "a crossroads town", "a spa town", "a logging camp", "a trading post",
        "a lakeside village", "a cathedral town", "a canal town", "a railway town",
        "a smugglers' cove", "a walled city", "a ferry town", "a wool town",
        "a quarry village", "a pilgrims' rest stop", "a coaching inn town", "a harbor town",
        "a sheep-farming village", "an abbey town", "an island village", "a garrison town",
        "a salt-mining town", "a tiny hamlet", "a ghost town", "a bridge town",
        "a hill fort", "a lighthouse village", "a vineyard village", "a frontier settlement",
        "a monastery village", "a cider-making village", "a college town", "a steel town",
        "a sleepy suburb", "a retirement village", "a holiday resort", "a boomtown",
        "a coal town", "a whaling town", "a toll-bridge hamlet",
    ),
    "region": (
        "on a foggy coast", "in the northern hills", "on a wide river delta",
        "deep in the forest", "at the edge of a salt marsh", "in a narrow valley",
        "on a windswept moor", "beside a huge lake", "near the border mountains",
        "on the edge of the desert", "at the foot of a volcano", "in rolling farmland",
        "on a rocky island", "along an old canal", "high on a cliff", "in the fens",
        "at a river crossing", "near the king's road", "below a ruined castle",
        "on the far side of the mountains", "in a misty glen", "by the sea",
        "in the heart of the moors", "at the end of the railway line", "in a quiet bay",
        "on a chalk hillside", "at the edge of the map", "in a bend of the river",
        "among the vineyards", "in the shadow of a glacier", "near an old battlefield",
        "on a windy headland", "at the mouth of an estuary", "in the wooded hills",
        "beside a waterfall", "on the open plains", "in the highlands", "near the capital",
        "on a frozen lake shore", "up in the pine forests",
    ),
    "feature": (
        "a ruined abbey", "a haunted lighthouse", "a cheese fair", "an old stone bridge",
        "a cursed well", "a cider mill", "a secret tunnel network", "a huge clock tower",
        "the best pies in the county", "a suspicious number of cats",
        "a witch trial in its past", "a market every Tuesday", "a lake that never freezes",
        "a crooked church spire", "a prize-winning brass band", "a long smuggling history",
        "an enormous oak in the square", "a very strict mayor", "a ring of standing stones",
        "a pub older than the church", "a duck pond with a fountain", "a cobbled high street",
        "a hermit in the woods", "a holy spring", "a bell that rings by itself",
        "a shipwreck on the beach", "an eccentric lord in the manor", "a silver mine",
        "a ferry that only runs at noon", "a rivalry with the next village",
        "a legendary sea monster", "an abandoned railway station", "a giant chalk horse",
        "a maze in the manor gardens", "a lavender farm", "a flooded quarry",
        "a tiny museum of clocks", "a winter fair on the ice", "a castle on the hill",
        "a bakery that never closes", "a windmill with no sails", "a graveyard full of sailors",
        "a hidden smugglers' cave", "a horse race on the beach", "a wishing tree",
        "a stone circle on the hill", "a bookshop in an old chapel", "a tide that cuts it off",
        "a thriving pottery trade", "an old Roman wall", "a wild pony herd",
        "a locked tower no one enters", "a hot spring", "a lighthouse with a red stripe",
        "a memorial to a lost ship", "a market for rare spices", "a goose that guards the gate",
        "a cheese that smells for miles", "an observatory", "a sunken church",
        "a toll bridge", "a choir with a record deal", "an endless summer fair", "a watermill",
    ),
    "hero": (
        "main character", "heroine", "villain", "detective", "narrator", "old sailor",
        "grumpy wizard", "retired spy", "protagonist", "young knight", "ranger", "thief",
        "love interest", "mentor character", "talking cat", "rival", "captain", "healer",
        "blacksmith", "outlaw", "inventor", "bard", "princess", "sidekick",
    ),
    "board_game": (
        "a railway board game", "a card game", "a tile-laying game", "a kids' board game",
        "a trading game", "a cooperative board game", "a dungeon crawler", "a party game",
        "a strategy game", "a deck-building game", "a roll-and-write game",
        "an escape room game", "a wargame", "a puzzle game", "a farming game",
        "a legacy game", "a family board game", "a tabletop RPG module", "a map-drawing game",
        "a mobile game",
    ),
    "plot": (
        "a postman who never leaves town", "a summer flood", "rival bakers",
        "a missing church bell", "a village trying to win a flower show",
        "a lighthouse keeper's last night", "a runaway goat", "the town's last cinema",
        "a lost dog", "a ghost who runs the pub", "a teenage band",
        "a stranger on the night bus", "a strike at the mill", "an elderly couple's last summer",
        "a long-buried secret", "a school about to close", "a wedding that goes wrong",
        "a town that loses its river", "a girl who collects bells", "a retired clown",
        "a feud over a hedge", "a prize pumpkin", "a new doctor in town",
        "a storm that cuts off the roads",
    ),
    "yearly_event": (
        "a scarecrow festival", "a cheese-rolling race", "a boat parade", "a pumpkin contest",
        "a lantern walk", "a goose fair", "a sheepdog trial", "a jam-making contest",
        "a midsummer bonfire", "a duck race", "a dragon boat race", "a hot-air balloon meet",
        "a folk festival", "a marbles championship", "a pie-eating contest",
        "a beard contest", "a horse fair", "a snow sculpture contest", "a wassail",
        "a tractor parade", "an apple harvest fair", "a kite festival",
        "a giant vegetable show", "a ghost walk",
    ),
    "weather": (
        "constant drizzle", "thick autumn fog", "endless snow", "a heatwave", "howling wind",
        "sea mist", "thunderstorms every evening", "grey skies", "a mild spring",
        "freezing rain", "blazing sunsets", "hailstorms", "a dry summer", "a cold snap",
        "low clouds", "gusty sea winds", "long winter nights", "frost on everything",
        "rain that never stops", "a late snowfall", "golden autumn light", "summer storms",
        "muggy heat", "sudden squalls",
    ),
    # -- brand ---------------------------------------------------------------------------------
    "business": (
        "a bakery", "a coffee cart", "a candle shop", "a bookshop", "a bike repair shop",
        "a pottery studio", "a dog grooming salon", "a flower shop", "a barbershop",
        "a tea room", "a vintage clothing store", "a record store", "a yoga studio",
        "a plant nursery", "a cheese shop", "a bagel shop", "a tattoo parlor", "a wine bar",
        "a ramen bar", "a board game cafe", "a yarn store", "a toy shop", "a thrift store",
        "a juice bar", "an ice cream parlor", "an antique shop", "a deli", "a pizzeria",
        "a craft brewery", "a bed and breakfast", "a bike shop", "a nail salon",
        "a frame shop", "a stationery shop", "a cat cafe", "a climbing gym", "a dance studio",
        "a print shop", "a surf shop", "a hardware store", "a chocolate shop",
        "a gelato stand", "a pet supply store", "a laundromat", "a music school",
        "a sandwich shop", "a dumpling house", "a taco stand", "a seafood shack",
        "a hair salon", "a cocktail bar", "a comic book store", "a tailor's shop",
        "a donut shop", "a cidery", "a makerspace", "a skate shop", "a physio clinic",
        "a vet clinic", "a repair cafe", "an art gallery", "a guesthouse", "a food co-op",
        "a noodle bar",
    ),
    "brand_vibe": (
        "cozy", "playful", "earthy", "old-school", "handmade", "rustic", "calm", "modern",
        "warm", "friendly", "quirky", "elegant", "bold", "a bit nostalgic", "upbeat",
        "classy", "welcoming", "fresh", "homey", "whimsical", "grown-up", "relaxed", "bright",
        "honest",
    ),
    "product": (
        "hand-poured candles", "knitted hats", "ceramic mugs", "beeswax wraps", "dog treats",
        "jams and chutneys", "leather wallets", "herbal teas", "sourdough loaves",
        "hot sauces", "handmade soaps", "tote bags", "pressed-flower cards", "bath bombs",
        "enamel pins", "crocheted toys", "wooden toys", "scented soy candles", "linocut prints",
        "dried flower bouquets", "spice blends", "sticker packs", "macrame plant hangers",
        "hair clips", "cookies", "pet bandanas", "custom keyboards", "zines", "lip balms",
        "watercolor postcards", "bookmarks", "felted animals", "coasters", "chili oils",
        "sourdough crackers", "beaded earrings", "knife rolls", "embroidered patches",
        "cutting boards", "scrunchies",
    ),
    "market": (
        "the farmers market", "a weekend craft fair", "the Christmas market", "a night market",
        "the local flea market", "a street fair", "a vintage fair", "a food festival",
        "a makers market", "a school fete", "a pop-up market", "the county show",
        "a book fair", "a music festival", "an artisan fair", "the Sunday market",
        "a seaside market", "a harvest festival", "an antiques fair", "a village market",
        "a holiday bazaar", "a car boot sale", "a record fair", "a summer fete",
    ),
    "band_genre": (
        "folk", "indie rock", "bluegrass", "jazz", "punk", "synth-pop", "surf rock",
        "garage rock", "ska", "shoegaze", "sea shanty", "klezmer", "Celtic", "funk", "emo",
        "cover", "wedding", "barbershop", "post-rock", "country", "reggae", "dream pop",
        "doom metal", "swing",
    ),
    "boat": (
        "an old fishing boat", "a secondhand sailboat", "a canal boat", "a tiny dinghy",
        "a rowing boat", "a houseboat", "a catamaran", "a wooden sloop", "a small motorboat",
        "a river cruiser", "a narrowboat", "a racing yacht", "a converted tugboat",
        "a pedal boat", "a lobster boat", "a trawler", "a cabin cruiser", "a sea kayak",
        "a rubber dinghy", "a steel barge",
    ),
    "project": (
        "a podcast", "a newsletter", "a YouTube channel", "a community garden",
        "an open-source library", "a supper club", "a zine", "a walking tour", "a book club",
        "a local radio show", "a mentoring program", "a tool library", "a repair cafe",
        "a seed swap", "a running club", "a cooking channel", "a film festival",
        "a photography collective", "a language exchange", "a mobile app",
        "a browser extension", "a board game podcast", "a kids' science club",
        "a coding bootcamp",
    ),
    "project_goal": (
        "helps neighbors share tools", "teaches kids to code", "reviews cheap eats",
        "cleans up local rivers", "tracks bird sightings", "explains history with cartoons",
        "connects retirees with students", "rescues surplus food", "maps accessible cafes",
        "shares recipes from grandparents", "teaches basic car repair", "reviews horror movies",
        "plants trees in schoolyards", "fixes broken toys", "interviews local farmers",
        "celebrates bad poetry", "helps adults learn to swim", "collects oral histories",
        "finds homes for old bikes", "sends postcards to strangers", "reviews board games",
        "teaches budgeting", "gets teens into theater", "swaps secondhand clothes",
    ),
    "street": (
        "the high street", "a quiet corner near the station", "the waterfront",
        "the main square", "a side street downtown", "the old market street", "a busy corner",
        "the seafront", "a cobbled lane", "the university strip", "the edge of town",
        "the ground floor of her building", "a quiet residential street", "the promenade",
        "a steep hill in the old town", "the canal path",
    ),
    "food": (
        "tacos", "dumplings", "grilled cheese", "ramen", "fish and chips", "wood-fired pizza",
        "empanadas", "falafel", "crepes", "bao buns", "churros", "burgers", "pierogi", "curry",
        "waffles", "smoothie bowls", "lobster rolls", "arepas", "bubble tea", "barbecue",
        "poutine", "kebabs", "pancakes", "gelato",
    ),
    "studio": (
        "a tiny game studio", "a two-person design studio", "a small animation studio",
        "a husband-and-wife design team", "a student film crew", "a trio of illustrators",
        "a small sound design studio", "a one-woman pottery studio", "a couple of friends",
        "a remote team", "a new indie studio", "a small print studio", "a group of ex-teachers",
        "a family business", "a handful of developers", "a puppet theater company",
    ),
    "output": (
        "cozy mobile games", "picture books", "stop-motion shorts", "board games",
        "educational apps", "puzzle games", "short documentaries", "music videos", "comics",
        "animated ads", "VR experiences", "wedding films", "podcasts for kids",
        "hand-drawn maps", "greeting cards", "escape rooms", "children's songs",
        "museum exhibits", "horror games", "web apps for charities",
    ),
    "craft": (
        "pottery", "woodworking", "bookbinding", "soap-making", "embroidery",
        "screen printing", "jewelry", "leatherwork", "quilting", "glassblowing",
        "candle-making", "knitting", "calligraphy", "furniture restoration", "ceramics",
        "upholstery", "watch repair", "sign painting", "stained glass", "metalwork",
    ),
    "workspace": (
        "my garage", "a converted shed", "the spare bedroom", "a shared studio downtown",
        "my kitchen table", "a barn behind the house", "an old shipping container",
        "the back of a shop", "a basement studio", "a rented unit on an industrial estate",
        "my attic", "a studio above a bakery", "a corner of my living room",
        "a co-working space", "my van", "a former chapel",
    ),
    "popup": (
        "bookshop", "plant sale", "vintage clothing market", "record fair", "bakery",
        "art gallery", "coffee bar", "flower stall", "cocktail bar", "thrift shop", "toy swap",
        "gallery of kids' art", "ramen counter", "sneaker shop", "zine library", "supper club",
    ),
    "service": (
        "dog-walking", "house-cleaning", "tutoring", "gardening", "bike repair",
        "wedding photography", "catering", "moving", "tech support", "tailoring",
        "window cleaning", "landscaping", "pet-sitting", "piano tuning", "event planning",
        "translation", "bookkeeping", "babysitting", "carpet cleaning", "furniture assembly",
    ),
    # -- word ----------------------------------------------------------------------------------
    "described": (
        "my hometown", "last summer", "the ocean at night", "my grandmother's kitchen",
        "our first apartment", "my dog's personality", "this year so far", "my wedding day",
        "the city after rain", "my commute", "autumn in the mountains", "my best friend",
        "the sound of a cello", "our road trip", "my first week at a new job",
        "the smell of a bakery", "my childhood", "the view from my window",
        "our family dinners", "my grandfather", "the last day of school",
        "a long train ride", "my new haircut", "the first snow of the year",
        "our honeymoon", "my cat", "the feeling after a long run", "my favorite song",
        "my teenage years", "the night market in Taipei", "our garden in June",
        "the dunes at noon", "a thunderstorm", "my best friend's laugh", "our team this season",
        "my first coffee of the day", "the last chapter of that book", "an old church",
        "the feeling of finishing a project", "my hometown's main street", "my mother's voice",
        "the inside of a library", "the week before exams", "our neighborhood",
        "my new puppy", "a Sunday afternoon", "the smell of rain", "my first concert",
        "the drive along the coast", "my little sister", "this winter",
        "my cooking", "the food at my aunt's house", "my old car",
        "the view from the top of the hill",
        "the jazz bar downtown", "my office", "my garden", "my kids at bedtime",
        "our wedding playlist", "my grandmother", "the sea in winter", "my weekend",
        "a still lake at first light",
    ),
    "team_value": (
        "how hard we train", "our stubborn optimism", "the way we look out for each other",
        "our love of bad puns", "never giving up", "our slightly chaotic energy",
        "showing up no matter what", "how much we laugh", "our focus under pressure",
        "our sense of humor", "doing things properly", "being kind first",
        "our late-night practice sessions", "winning without arrogance",
        "the way we bounce back", "learning from every mistake", "our love of the outdoors",
        "staying curious", "playing fair", "keeping it simple", "pushing each other",
        "how loud we cheer", "starting from nothing", "our small-town roots",
    ),
    "competition": (
        "a pub quiz league", "a hackathon", "a charity relay", "an escape room tournament",
        "a dragon boat race", "a trivia night", "a chili cook-off",
        "a regional robotics contest", "a beach volleyball tournament", "a cardboard boat race",
        "a bake-off", "a coding challenge", "a debate tournament", "an office step challenge",
        "a charity bike ride", "a sandcastle contest", "a quiz show", "a hill race",
        "a scavenger hunt", "a mud run", "a karaoke contest", "a science olympiad",
        "a chess tournament", "a garden show",
    ),
    "login": (
        "email", "banking", "laptop", "Wi-Fi", "streaming", "work", "gaming", "cloud storage",
        "phone", "router", "school", "music app", "photo backup", "tablet", "shopping",
        "library", "smart TV", "social media", "fitness app", "bike lock",
    ),
    "scene": (
        "the first day of spring without a coat", "a library at closing time", "rain on a tin roof",
        "an empty beach in October", "a kitchen full of steam", "a city waking up",
        "the last bus home", "fresh snow on a side street", "a campfire after dark",
        "an old bookshop", "a crowded night market", "a lighthouse in fog",
        "first light over the rooftops", "my dog asleep in the sun", "a busy train station",
        "an orchard in early April", "the sea after heavy rain", "a rooftop after sunset",
        "fog rolling over the hills", "a market stall full of lemons", "an abandoned fairground",
        "a harbor at first light", "my grandmother's garden", "a field of sunflowers",
        "a rainy afternoon in a cafe", "a mountain lake", "a snowy forest",
        "a street full of lanterns", "the view from a ferry", "kids playing in a sprinkler",
        "an empty museum", "an empty highway at night",
    ),
    "art_project": (
        "a mural at my kid's school", "my zine's cover", "a linocut print",
        "the back of my jean jacket", "a birthday placard", "a tote bag design",
        "a poster for my room", "a skateboard deck", "a clay tablet", "a screen-printed shirt",
        "a hand-lettered sign", "a quilt I'm making", "my sketchbook cover", "a neon sign",
        "a garden stepping stone", "a collage", "a greeting card", "a tattoo flash sheet",
        "a yearbook page", "a wooden plaque",
    ),
    "creative": (
        "my photography exhibition", "a short instrumental track", "my debut poetry chapbook",
        "a painting of the sea", "my band's first EP", "a short film", "a dance piece",
        "my photo book", "a ceramic series", "a documentary about my grandfather",
        "a solo piano album", "my art school thesis", "a collection of short stories",
        "an abstract sculpture", "a podcast episode", "a travel blog", "a set of watercolors",
        "my knitting pattern", "a theater piece", "a mixtape for a friend",
        "a graphic design portfolio", "a perfume", "a video essay", "a song I wrote for my son",
    ),
    "jar_product": (
        "honey", "jam", "pickles", "hot sauce", "chutney", "kimchi", "lemon curd", "chili oil",
        "salsa", "pesto", "apple butter", "fermented garlic", "fig preserves", "nut butter",
        "relish", "sauerkraut", "bath salts", "candles",
    ),
    "gift": (
        "wedding band", "watch", "bracelet", "hip flask", "pocket knife", "silver pen",
        "music box", "keepsake box", "guitar case", "ring", "jewelry box", "pendant",
        "tankard", "wooden spoon", "camera strap", "bangle", "wallet", "cufflinks box",
        "lighter", "signet ring",
    ),
    "hard_stretch": (
        "training for a long race", "exam season", "night shifts", "my first triathlon",
        "a long recovery", "labor", "a tough job search", "a big move",
        "the last month of my thesis", "a long hike", "tax season",
        "a newborn's first weeks", "a breakup", "my driving test", "a cold plunge",
        "physical therapy", "a job interview", "a long flight", "finals week",
        "climbing season",
    ),
    "team_trait": (
        "shows up early and stays late", "laughs at everything", "never reads the instructions",
        "always brings snacks", "argues about everything but wins anyway",
        "loves an underdog story", "runs on coffee", "takes silly things seriously",
        "gets lost on every hike", "cheers louder than it plays", "never misses a practice",
        "turns every loss into a joke", "trains in any weather", "keeps a lucky sock",
        "finishes last but has the most fun", "plans everything down to the minute",
        "sings on the bus", "adopts every stray it meets", "stays out too late",
        "treats every game like a final",
    ),
    "memory": (
        "my late grandfather", "the summer we lived by the sea", "my first solo trip",
        "the year I moved abroad", "my mom's garden", "the night my daughter was born",
        "a friend I lost", "the place I grew up", "my first dog", "the day I quit my job",
        "our first date", "my old band", "a trip to Iceland", "the hospital where I worked",
        "a teacher who believed in me", "my grandmother's house", "the city where I studied",
        "my wedding", "a long recovery", "the day I learned to swim",
    ),
    "yearly_plan": (
        "my journal", "our family calendar", "my running season", "my garden",
        "my sketchbook", "the book club", "my blog", "my classroom", "our home renovation",
        "my photo project", "my reading list", "my bullet journal", "my training plan",
        "my savings plan", "the office newsletter", "my side project",
    ),
    "occasion": (
        "our anniversary", "graduation", "their birthday", "Christmas", "retirement",
        "Father's Day", "Mother's Day", "their wedding", "a promotion", "their first job",
        "Valentine's Day", "their fortieth", "finishing treatment", "a big move abroad",
        "becoming a parent", "passing the bar exam", "a new year", "getting sober",
    ),
    "batch_note": (
        "extra spicy", "darker than usual", "really smooth", "surprisingly sweet",
        "a little too tart", "deep orange", "almost black", "thicker than ever",
        "with a hint of lime", "sharper than last time", "perfectly balanced",
        "full of chunky bits", "with a bit of a kick", "pale and delicate", "strangely pink",
        "better than expected",
    ),
    "mood": (
        "hopeful", "grounded", "a little adventurous", "soft but determined", "fresh",
        "settled", "light", "quietly ambitious", "unhurried", "generous", "strong", "optimistic",
        "focused", "patient", "joyful", "peaceful", "open", "energetic", "honest", "kind",
    ),
}
# fmt: on
"""Options for each ``{slot}`` of :data:`FRAMES`; articles are part of the option."""

OPENERS: tuple[str, ...] = (
    "",
    "Hi! ",
    "Hey! ",
    "Hello! ",
    "Hi there. ",
    "Hey there! ",
    "Quick question: ",
    "Random question: ",
    "Okay, weird one. ",
    "I could use some help. ",
    "Hope you're well! ",
    "Good evening! ",
    "Hey, quick one. ",
    "Help me out here. ",
    "Small favor: ",
    "Hello again! ",
)
"""How a request may begin."""

CLOSERS: tuple[str, ...] = (
    "",
    " Thanks!",
    " Thank you!",
    " Just one, please.",
    " Any ideas?",
    " Thanks in advance!",
    " Surprise me.",
    " Keep it short.",
    " Nothing too common, please.",
    " I trust your taste.",
    " Appreciate it!",
    " Just give me your best pick.",
    " No list, just one.",
    " Thanks a lot!",
    " Cheers!",
    " Whatever comes to mind first.",
)
"""How a request may end."""

REPLIES: dict[str, tuple[str, ...]] = {
    "name": (
        "How about {answer}?",
        "I'd go with {answer}.",
        "{answer} has a nice ring to it.",
        "My pick would be {answer}.",
        "{answer} feels just right.",
        "Try {answer}. It suits the description.",
        "I like {answer} for this.",
        "What about {answer}? It's easy to say and sticks in your head.",
        "{answer} would be my choice.",
        "You can't go wrong with {answer}.",
        "My suggestion: {answer}.",
        "{answer} comes to mind right away.",
    ),
    "number": (
        "How about {answer}?",
        "Let's go with {answer}.",
        "I'd pick {answer}.",
        "{answer} it is.",
        "Try {answer}; it's a good one.",
        "My pick is {answer}.",
        "{answer} feels like a winner to me.",
        "Go with {answer}.",
        "I'll say {answer}.",
        "What about {answer}? It's easy to remember.",
        "{answer} sounds good.",
        "I'm going to choose {answer}.",
    ),
    "place": (
        "How about {answer}?",
        "I'd call it {answer}.",
        "{answer} sounds like a real place.",
        "Let's name it {answer}.",
        "{answer} has the right feel for it.",
        "Try {answer}. It sounds old and lived-in.",
        "What about {answer}?",
        "My pick is {answer}.",
        "{answer} would fit nicely on a map.",
        "The locals would call it {answer}.",
        "I like {answer} for this one.",
        "Go with {answer}; it sounds believable.",
    ),
    "brand": (
        "How about {answer}?",
        "I'd go with {answer}.",
        "{answer} has a nice ring to it.",
        "Try {answer}. It's friendly and easy to remember.",
        "What about {answer}?",
        "My pick is {answer}.",
        "{answer} would look great on a sign.",
        "Let's call it {answer}.",
        "{answer} feels inviting and memorable.",
        "I like {answer} for this.",
        "You could call it {answer}.",
        "Go with {answer}; it stands out.",
    ),
    "word": (
        "How about {answer}?",
        "I'd say {answer}.",
        "I'd go with {answer}.",
        "In a word: {answer}.",
        "My pick is {answer}.",
        "Try {answer}.",
        "What about {answer}?",
        "Let's go with {answer}.",
        "The word that comes to mind is {answer}.",
        "I think {answer} captures it well.",
        "Maybe {answer}? It fits nicely.",
        "My choice would be {answer}.",
    ),
}
"""Reply templates of each answer type; ``{answer}`` becomes the committed answer."""
