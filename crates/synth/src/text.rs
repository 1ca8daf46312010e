//! The words of generated posts: templates with `{slot}` placeholders, the pools that fill them,
//! handles, and the clients people post from. Test and benchmark data only.

use crate::{Archetype, Rng};

/// Fills `{slot}` placeholders from the pools; `{slot_cap}` capitalises the pick. Unknown slots
/// stay as written, which the unit tests catch.
pub(crate) fn fill(rng: &mut Rng, template: &str, extra: &[(&str, &str)]) -> String {
    fill_at(rng, template, extra, 0)
}

fn fill_at(rng: &mut Rng, template: &str, extra: &[(&str, &str)], depth: u32) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let (base, cap) = match name.strip_suffix("_cap") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let value: String = if let Some((_, v)) = extra.iter().find(|(k, _)| *k == base) {
            v.to_string()
        } else if base == "n" {
            rng.range(2, 40).to_string()
        } else if base == "big" {
            rng.range(100, 5000).to_string()
        } else if let Some(pool) = pool(base) {
            let picked = *rng.pick(pool);
            // Pool entries may hold slots of their own.
            if picked.contains('{') && depth < 4 {
                fill_at(rng, picked, extra, depth + 1)
            } else {
                picked.to_string()
            }
        } else {
            format!("{{{name}}}")
        };
        if cap {
            out.push_str(&capitalise(&value));
        } else {
            out.push_str(&value);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Tidies a filled template: no double spaces, no space before punctuation, no trailing space.
pub(crate) fn tidy(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() && !matches!(w, "." | "," | "!" | "?") {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

pub(crate) fn pool(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "time" => &[
            "this morning",
            "tonight",
            "today",
            "last night",
            "this weekend",
            "yesterday",
            "after work",
            "over lunch",
            "before breakfast",
            "on the train home",
            "all afternoon",
            "since Tuesday",
            "this week",
            "on Sunday",
            "at 6am",
            "between meetings",
            "during the power cut",
            "on my day off",
        ],
        "activity" => &[
            "went for a long walk",
            "fixed the kitchen tap",
            "baked sourdough",
            "cleaned out the garage",
            "tried a new running route",
            "repotted the monstera",
            "finally watched that documentary",
            "helped my neighbour move a sofa",
            "made way too much pasta",
            "cycled to the coast",
            "reorganised my bookshelf",
            "learned three chords on the ukulele",
            "painted the hallway",
            "visited my grandparents",
            "took the kids to the museum",
            "finished a 1000-piece puzzle",
            "wrote two pages of my novel",
            "built a shelf that is only slightly crooked",
            "went swimming in the lake",
            "volunteered at the food bank",
            "sorted twenty years of photos",
            "tuned the old piano",
            "planted garlic",
            "got lost in the old town",
        ],
        "adj" => &[
            "lovely",
            "exhausting",
            "surprisingly fun",
            "a total mess",
            "so worth it",
            "weirdly relaxing",
            "hilarious",
            "harder than expected",
            "perfect",
            "chaotic",
            "peaceful",
            "unforgettable",
            "a bit much",
            "exactly what I needed",
        ],
        "person" => &[
            "my sister",
            "an old friend",
            "my dad",
            "the neighbours",
            "two colleagues",
            "my flatmate",
            "the kids",
            "my partner",
            "some friends from uni",
            "the dog",
            "my grandmother",
            "the whole team",
            "my cousin",
        ],
        "topic" => &[
            "the new season of that show",
            "last night's match",
            "the transit strike",
            "the price of coffee",
            "the city council vote",
            "the new bridge design",
            "remote work",
            "the heatwave",
            "that viral recipe",
            "the final episode",
            "the new phone update",
            "the book club pick",
            "the election debate",
            "the marathon route",
            "the transfer rumours",
            "the library closing early",
            "the tram extension",
            "the festival lineup",
            "the new bike lanes",
        ],
        "city" => &[
            "Leeds",
            "Lyon",
            "Porto",
            "Austin",
            "Melbourne",
            "Toronto",
            "Krakow",
            "Osaka",
            "Bristol",
            "Denver",
            "Utrecht",
            "Cork",
            "Valencia",
            "Graz",
            "Halifax",
            "Tartu",
            "Bergen",
            "Ghent",
            "Quito",
            "Tucson",
        ],
        "food" => &[
            "ramen",
            "tacos",
            "a cinnamon bun",
            "pho",
            "pierogi",
            "a huge salad",
            "curry",
            "pancakes",
            "falafel",
            "a grilled cheese",
            "dumplings",
            "shakshuka",
            "lasagne",
            "a fig tart",
            "bibimbap",
            "fish and chips",
        ],
        "place" => &[
            "the corner cafe",
            "that tiny place by the station",
            "the market",
            "my aunt's",
            "the new bakery",
            "the food truck on 5th",
            "the pub down the road",
            "the canteen",
            "the night market",
            "a roadside diner",
        ],
        "feeling" => &[
            "tired but happy",
            "oddly proud",
            "ready for bed",
            "a bit sunburnt",
            "very full",
            "inspired",
            "sore everywhere",
            "grateful",
            "content",
            "wide awake",
        ],
        "weather" => &[
            "pouring rain",
            "glorious sunshine",
            "fog so thick you can't see the end of the street",
            "the first snow",
            "wind that nearly took my umbrella",
            "a proper thunderstorm",
            "thirty degrees",
            "hail, briefly",
            "a double rainbow",
        ],
        "subject" => &[
            "medieval trade routes",
            "how bees navigate",
            "urban planning",
            "the history of typefaces",
            "deep sea creatures",
            "sourdough chemistry",
            "old maps",
            "jazz in the sixties",
            "volcanoes",
            "mushroom foraging",
            "early computers",
            "the Roman water system",
            "lighthouse keepers",
            "the physics of bicycles",
            "forgotten board games",
            "how glaciers move",
        ],
        "opinion" => &[
            "would recommend",
            "not sure how I feel about it yet",
            "changed my mind on a few things",
            "could not put it down",
            "a bit slow in the middle",
            "worth every minute",
            "the ending annoyed me",
        ],
        "pet" => &["cat", "dog", "parrot", "rabbit", "old cat", "puppy"],
        "pet_action" => &[
            "stole a sock and ran",
            "knocked my coffee off the desk",
            "fell asleep on my keyboard",
            "barked at a leaf for ten minutes",
            "figured out how to open the fridge",
            "sat on the laptop during a call",
            "refused to go outside because of drizzle",
        ],
        "project" => &[
            "the garden shed",
            "my thesis",
            "a tiny website for my mum",
            "the quilt",
            "a birdhouse",
            "my photo archive",
            "the bike restoration",
            "a board game prototype",
            "the attic conversion",
            "a podcast pilot",
        ],
        "progress" => &[
            "Slow going.",
            "Halfway there!",
            "Nearly done, I think.",
            "Two steps forward, one back.",
            "Progress is progress.",
            "Starting over, again.",
        ],
        "sport" => &["running", "cycling", "rowing", "hiking", "walking"],
        "advice" => &[
            "never start a DIY job at 9pm",
            "always check the bus timetable twice",
            "buy more coffee filters",
            "stretch before running",
            "write the grocery list down",
            "charge the phone before leaving",
            "label the freezer boxes",
            "water the tomatoes before work",
            "keep spare batteries for the bike light",
            "stop buying plants I can't keep alive",
            "bring a jacket even when the forecast says sun",
            "back up the laptop this weekend",
            "read the recipe to the end before starting",
            "book the dentist before the holidays",
            "never trust a shortcut through the park at night",
        ],
        "question" => &[
            "find it impossible to sleep when it's this warm",
            "still use a paper diary",
            "think the new logo is worse",
            "keep forgetting which day the bins go out",
            "miss the old layout of the app",
            "have a favourite bench in the park",
            "get weirdly emotional at the end of a series",
            "talk to their plants",
            "refuse to use the self-checkout",
            "collect bus tickets from trips",
            "still know their childhood phone number",
            "pack for holidays the night before",
        ],
        "reaction" => &[
            "Not complaining.",
            "10/10 would do again.",
            "Send help.",
            "Life is good.",
            "Why is this so hard?",
            "Anyway.",
            "Small wins!",
            "What a day.",
            "Who knew?",
            "Honestly, no regrets.",
            "Thoughts?",
            "",
            "",
            "",
        ],
        "emoji" => &[
            "😅", "🙌", "☕", "🌧️", "🌞", "😂", "🎉", "🤷", "❤️", "🍜", "🚲", "📚", "",
        ],
        "hot" => &[
            "overrated",
            "underrated",
            "fine, actually",
            "the best thing this year",
            "a lot of fuss about nothing",
            "going to age badly",
        ],
        "agree" => &[
            "Totally agree",
            "Same here",
            "Yes",
            "Exactly this",
            "Couldn't agree more",
            "Fair point",
            "Ha, true",
        ],
        "reason" => &[
            "it happened to me last week too",
            "my whole street says the same",
            "I read something similar about {subject}",
            "that's why I stopped going",
            "we had the same debate over dinner",
            "it's been like that since spring",
            "the timing was just bad",
            "my {person} said exactly that {time}",
            "nobody warned us about {topic}",
            "the same thing happened in {city} last year",
            "I changed my mind after {activity_ing}",
            "it reminds me of {subject}",
            "the last time I tried it was {adj}",
            "my neighbour works on {project} and agrees",
            "we argued about {topic} for an hour",
            "the numbers from {city} say so too",
            "you can see it from the {place} every morning",
            "I learned that the hard way {time}",
        ],
        "counter" => &[
            "I think it depends on the weather",
            "my experience was the opposite",
            "the numbers don't really show that",
            "give it another month",
            "I've heard the other side of it too",
            "{person} would say the opposite",
            "it worked fine for us in {city}",
            "I'd wait for {topic} to settle first",
            "the older version was worse, honestly",
            "it's more about {subject} than people think",
            "we tried that {time} and it was {adj}",
            "the last survey in {city} said otherwise",
        ],
        "achievement" => &[
            "the new job",
            "finishing the race",
            "the move",
            "the exam",
            "the launch",
            "the wedding",
            "the award",
            "getting the keys",
        ],
        "hope" => &[
            "you feel better soon",
            "the car is ok",
            "they find it",
            "it stops raining for you",
            "the train gets going again",
            "the cat turns up",
            "the interview went well",
            "your knee heals quickly",
            "the move goes smoothly",
            "the tent survived the storm",
            "you got some sleep in the end",
            "the landlord fixes the heating",
            "the flight isn't cancelled",
            "{person} is feeling better",
        ],
        "question_back" => &[
            "Where was this taken?",
            "How long did that take you?",
            "Is it open on weekends?",
            "Did they ever fix it?",
            "Which one did you pick?",
            "Wait, since when?",
            "What did you use for the glaze?",
            "Is that the one near {place}?",
            "Did you go with {person}?",
            "How was {city} this time of year?",
            "Was it better than {food}?",
            "Any idea when {topic} gets sorted?",
            "Did you finish {project} in the end?",
            "How many km was that?",
            "Is this the new {product}?",
            "Who told you about {subject}?",
            "Can I borrow that book about {subject}?",
            "Was {person} there too?",
            "Did it rain the whole time?",
            "How did you get the {pet} to sit still?",
        ],
        "thanks_follow" => &[
            "saving this for later",
            "I had no idea",
            "sending it to my brother",
            "this made my morning",
            "very useful",
            "I'm showing this to {person}",
            "exactly what I needed before {activity_ing}",
            "bookmarking it for the trip to {city}",
            "this explains {topic} better than the news",
            "I'll try it {time}",
            "never thought about {subject} that way",
            "my {pet} approves",
        ],
        "short" => &[
            "haha",
            "so good",
            "love this",
            "oh no",
            "wow",
            "congrats!",
            "yes please",
            "same",
            "brilliant",
            "ugh, sorry",
        ],
        "link_intro" => &[
            "Great read on",
            "Worth ten minutes of your time:",
            "Fascinating piece about",
            "This explainer on",
            "Someone finally wrote about",
        ],
        "blog" => &[
            "My notes from the weekend trip",
            "Why I switched back to paper notebooks",
            "A short guide to winter cycling",
            "What I learned from a month without social media",
            "Photos from the harbour festival",
            "The best soup I know, step by step",
        ],
        "domain" => &[
            "https://www.bbc.co.uk/news/articles",
            "https://www.theguardian.com/science",
            "https://arstechnica.com/science",
            "https://www.nature.com/articles",
            "https://kottke.org/25",
            "https://www.atlasobscura.com/articles",
        ],
        // Brand voice.
        "product" => &[
            "ergonomic desk chair",
            "wireless earbuds",
            "organic coffee beans",
            "yoga mat",
            "standing desk",
            "travel backpack",
            "cast iron skillet",
            "linen duvet set",
            "smart water bottle",
            "running jacket",
            "noise-cancelling headphones",
            "ceramic pour-over set",
            "merino hoodie",
            "LED desk lamp",
        ],
        "deal" => &[
            "Flash sale",
            "Weekend deal",
            "Limited offer",
            "Hot deal",
            "Today only",
        ],
        "cta" => &[
            "Shop now",
            "Grab yours",
            "Order today",
            "Don't miss out",
            "Get it here",
        ],
        "deadline" => &[
            "Sunday",
            "midnight",
            "Friday",
            "the end of the week",
            "Monday",
        ],
        "sale_emoji" => &["🔥", "⚡", "💥", "🛒", "✨", "🎁"],
        "colour" => &[
            "forest green",
            "sand",
            "charcoal",
            "sky blue",
            "terracotta",
            "oat",
        ],
        "role" => &[
            "warehouse lead",
            "customer care specialist",
            "product designer",
            "copywriter",
            "store manager",
        ],
        "weekday" => &[
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ],
        "brand_update" => &[
            "New in store: the {product} in {colour}, made with {person} in mind.",
            "Our {city} shop opens late on {weekday}. Come say hi!",
            "Behind the scenes: the {city} team testing the new {product} in {colour} {emoji}",
            "We're hiring a {role} in {city}. Details on our site.",
            "Thank you {city} for {big} orders of the {product} this month, {thanks_follow}.",
            "Customer photo of the week: a {product} on a trip to {city} {emoji}",
            "Heads up: deliveries to {city} may be a day late because of {weather}.",
            "Poll: which colour for the next {product}, {colour} or something bolder?",
        ],
        // Support voice.
        "customer_greeting" => &[
            "Hi {name},",
            "Hey {name},",
            "Hello {name},",
            "{name},",
            "Hi there {name},",
            "Good morning {name},",
        ],
        "sorry" => &[
            "sorry to hear about this.",
            "thanks for flagging this.",
            "apologies for the trouble.",
            "that's not the experience we want for you.",
            "oh no, let's get this sorted.",
            "thanks for your patience so far.",
        ],
        "issue" => &[
            "It sounds like your {product} {problem} {since}.",
            "I've checked order #{big}{n} and it {order_status}.",
            "Does the {part} still show {indicator} after you {action}?",
            "A {product} that {problem} {since} is covered by the warranty, no worries.",
            "Our {city} depot had a backlog on {weekday}, which is probably why it {order_status}.",
            "Which colour did you get? The {colour} ones from {city} had a packing issue.",
            "Sounds like the {part} needs a reset: {action} and it should come back.",
        ],
        "problem" => &[
            "stopped charging",
            "arrived scratched",
            "won't pair",
            "is missing a part",
            "makes a clicking noise",
            "arrived in the wrong size",
            "keeps disconnecting",
            "has a wobbly leg",
            "smells of plastic",
            "doesn't turn on",
        ],
        "since" => &[
            "since the last update",
            "after the first wash",
            "right out of the box",
            "since last week",
            "after a few days",
            "since the move",
        ],
        "order_status" => &[
            "left our warehouse on {weekday}",
            "is waiting at the {city} depot for a driver",
            "was split into two parcels, the {product} comes separately",
            "is held up at customs since {weekday}",
            "shows as delivered to a neighbour, which we'll check with the courier",
            "was sent to an old address in {city}",
            "is on a van today, probably after {weekday} lunch",
            "was refunded on {weekday} but the bank can take a few days",
        ],
        "part" => &["battery light", "display", "app", "charging case", "base"],
        "indicator" => &[
            "a red light",
            "an error code",
            "a blinking icon",
            "nothing at all",
        ],
        "action" => &[
            "hold the button for ten seconds",
            "unplug it overnight",
            "reinstall the app",
            "swap the cable",
            "try a different outlet",
        ],
        "stock" => &[
            "Could you send us a DM with your order number so we can take a closer look?",
            "I've passed this on to our delivery team.",
            "Let us know if there's anything else we can do.",
            "We'll follow up by email within the day.",
            "Please try a restart and tell us if it persists.",
            "Thanks for bearing with us while we look into it.",
        ],
        "signature" => &["^JM", "^AK", "^RS", "^LT", "^DB"],
        // News voice.
        "org" => &[
            "Regional health board",
            "Transport authority",
            "University researchers",
            "State utility",
            "Port operator",
            "Teachers' union",
            "Airline group",
            "Fire service",
            "Water company",
            "Housing charity",
            "Museum trust",
            "Chamber of commerce",
            "Coast guard",
            "Energy regulator",
        ],
        "news_verb" => &[
            "announces",
            "delays",
            "scraps",
            "unveils",
            "defends",
            "reviews",
            "expands",
            "halts",
            "approves",
            "pilots",
            "investigates",
            "funds",
        ],
        "news_thing" => &[
            "night bus routes",
            "a hospital extension",
            "a flood barrier",
            "tuition fees",
            "a solar farm",
            "rail fares",
            "a wildlife corridor",
            "school meals",
            "a cycling bridge",
            "new drinking water rules",
            "a heritage trail",
            "emergency housing",
            "a drone delivery trial",
            "harbour dredging",
        ],
        "people" => &[
            "residents",
            "passengers",
            "workers",
            "students",
            "patients",
            "fans",
            "hikers",
            "volunteers",
            "tenants",
            "fishermen",
        ],
        "event" => &[
            "evacuated",
            "stranded",
            "honoured",
            "rescued",
            "protest",
            "celebrate",
            "relocated",
            "on strike",
            "left without power",
            "march",
        ],
        "cause" => &[
            "a burst water main",
            "a late storm",
            "a signalling fault",
            "a chemical leak",
            "a surprise vote",
            "a landslide",
            "record turnout",
            "a gas explosion",
            "a cyber attack",
            "a bridge closure",
            "a court ruling",
            "a supplier collapse",
        ],
        "decision" => &[
            "votes to pause",
            "approves",
            "rejects",
            "postpones a decision on",
            "opens consultation on",
            "doubles funding for",
            "cuts the budget for",
        ],
        "policy" => &[
            "a congestion charge",
            "short-term rentals",
            "the stadium plan",
            "street lighting upgrades",
            "a tree-planting programme",
            "parking permits",
            "a tourist tax",
            "the library merger",
            "free swimming lessons",
        ],
        "police_action" => &[
            "close roads",
            "seek witnesses",
            "arrest two",
            "appeal for calm",
            "search a warehouse",
            "recover stolen art",
        ],
        "landmark" => &[
            "the old cathedral",
            "the central station",
            "the harbour bridge",
            "the football ground",
            "the botanical gardens",
            "the ring road",
            "the university campus",
            "the ferry terminal",
        ],
        "team" => &[
            "City",
            "Rovers",
            "United",
            "the Harriers",
            "Athletic",
            "the Pirates",
            "Wanderers",
            "the Falcons",
            "Albion",
            "the Comets",
        ],
        "result" => &[
            "beat",
            "draw with",
            "lose to",
            "edge past",
            "thrash",
            "stun",
        ],
        "match_kind" => &[
            "a cup thriller",
            "a rain-soaked derby",
            "extra time",
            "a penalty shootout",
            "the league opener",
            "a late comeback",
        ],
        "weather_news" => &[
            "heavy snow",
            "gale-force winds",
            "record heat",
            "thick fog",
            "flash floods",
            "freezing rain",
            "thunderstorms",
        ],
        "region" => &[
            "the north",
            "coastal areas",
            "the capital",
            "the valleys",
            "the east",
            "mountain passes",
            "the islands",
        ],
        "day" => &[
            "tonight",
            "tomorrow",
            "this weekend",
            "on Monday",
            "through Thursday",
        ],
        "index" => &[
            "Shares",
            "Tech stocks",
            "Bank shares",
            "Oil prices",
            "Bond yields",
        ],
        "move" => &["climb", "slide", "hold steady", "rebound", "tumble"],
        "econ_cause" => &[
            "inflation cools",
            "a merger collapses",
            "rates stay on hold",
            "exports surprise",
            "a retailer warns on profits",
            "the currency weakens",
        ],
        "opinion_verb" => &[
            "rethink",
            "embrace",
            "pay properly for",
            "stop delaying",
            "hold a vote on",
            "learn from its neighbours on",
            "scrap",
            "double down on",
        ],
        "weather_tail" => &[
            "schools told to prepare",
            "ferries cancelled",
            "farmers warned to move livestock",
            "power cuts possible",
            "flights may be delayed",
            "drivers urged to stay home",
            "outdoor events called off",
            "gritters on standby",
            "beaches expected to be busy",
            "hospitals on alert",
        ],
        "company_news" => &[
            "a grocer cuts prices",
            "a carmaker recalls vans",
            "a bank closes branches",
            "a chipmaker raises its forecast",
            "a brewer sells its pubs",
            "an airline adds routes",
            "a builder pauses projects",
            "a telecom firm shuts its old network",
            "a fashion chain files for protection",
            "a utility freezes bills",
        ],
        "congrats_tail" => &[
            "you earned it",
            "drinks on me next time in {city}",
            "{person} says well done too",
            "so happy for you",
            "told you so!",
            "about time!",
            "what a year for you",
            "now get some rest!",
            "let's celebrate at {place}",
            "after all that {activity_ing} too",
        ],
        "thanks_open" => &[
            "Thanks for sharing",
            "Oh this is great",
            "Love this",
            "Ha, brilliant",
            "This is so good",
            "Thank you",
            "Great find",
        ],
        "sympathy" => &[
            "that sounds awful",
            "what a week",
            "not again",
            "that's so annoying",
            "poor you",
            "I'd have cried",
            "that's the worst",
            "how frustrating",
        ],
        "activity_ing" => &[
            "walking the dog",
            "cooking dinner",
            "fixing the bike",
            "cleaning the attic",
            "moving house",
            "training for the race",
            "painting the fence",
            "visiting my parents",
        ],
        "opinion_head" => &[
            "Our streets were never designed for this many delivery vans",
            "The case for keeping libraries open on Sundays",
            "Why the stadium vote matters more than it seems",
            "We should talk about the cost of school uniforms",
            "Night trains deserve a second chance",
            "The housing numbers nobody wants to read",
        ],
        "study_finding" => &[
            "{people} sleep better near parks",
            "commuters in {city} walk more than those in {region} {day}",
            "urban foxes near {landmark} are getting bolder since {cause}",
            "four-day weeks cut sick days at {n} firms in {city} but not in {region}",
            "microplastics found in {food} samples from {city} markets",
            "{city} air quality improved after the low-traffic trial",
        ],
        "venue" => &[
            "the opera house",
            "a packed arena",
            "the film festival",
            "a charity gala",
            "the old theatre",
            "a pop-up gallery",
        ],
        "person_role" => &[
            "Award-winning chef",
            "Former mayor",
            "Olympic rower",
            "Local author",
            "Veteran actor",
            "Young composer",
            "Record-breaking climber",
        ],
        "celeb_action" => &[
            "surprises fans",
            "opens a new show",
            "announces retirement",
            "wins top prize",
            "returns after ten years",
            "speaks out on housing",
        ],
        "road" => &[
            "M6",
            "A1",
            "ring road",
            "coast road",
            "bypass",
            "tunnel approach",
        ],
        "road_issue" => &[
            "a jackknifed lorry",
            "long delays",
            "a lane closure",
            "a burst pipe",
            "an overturned trailer",
            "sheep on the carriageway",
        ],
        _ => return None,
    })
}

const HUMAN_ORIGINALS: &[&str] = &[
    "{time_cap} I {activity} with {person} and it was {adj}. {reaction}",
    "Can't stop thinking about {topic}. {reaction}",
    "{food_cap} at {place} {time}. {adj_cap}! {emoji}",
    "Reading a book about {subject}, {opinion}.",
    "{weather_cap} in {city} {time}. {reaction}",
    "Hot take: {topic} is {hot}.",
    "Working on {project} {time}. {progress}",
    "My {pet} just {pet_action}. {reaction}",
    "Did {n} km of {sport} {time}, {feeling}.",
    "Note to self after {time}: {advice}.",
    "Anyone else in {city} {question}? {reaction}",
    "Went down a rabbit hole about {subject} {time}. {reaction}",
    "{time_cap}: {activity}, ate {food}, now {feeling}. {emoji}",
    "Heading to {city} soon, where do I find good {food}?",
    "Still {feeling} after {topic}. {emoji}",
    "Overheard on the bus: someone explaining {subject} to {person}. {reaction}",
    "{person_cap} and I {activity} {time}. It was {adj}.",
    "Honestly {topic} has been {adj} to follow.",
    "Three things from {time}: {food}, {weather}, and {subject}. {emoji}",
    "If anyone in {city} has a ladder I could borrow, {person} and I need one for {project}.",
];

const HUMAN_REPLIES: &[&str] = &[
    "{agree}, {reason}.",
    "Congrats on {achievement}, {congrats_tail} {emoji}",
    "Not sure about {topic}, {counter}.",
    "Where did you get the {food}? Looks {adj}.",
    "Oh no, {sympathy}. Hope {hope}.",
    "This is exactly what I told {person} {time}!",
    "{question_back}",
    "{thanks_open}, {thanks_follow}.",
    "{agree}. Also {topic} is {hot}, fight me. {emoji}",
    "Ha, my {pet} once {pet_action} too.",
    "I was in {city} {time} and saw the same thing.",
    "Saving this for {time}, {person} has been {activity_ing} and asking about {subject}.",
];

/// Texts of people: varied grammar, sometimes two sentences, sometimes a hashtag.
pub(crate) fn human_original(rng: &mut Rng) -> String {
    let mut s = sentences(rng, HUMAN_ORIGINALS, 0.3);
    if rng.chance(0.08) {
        let tag = *rng.pick(&["#weekend", "#amreading", "#running", "#gardening", "#rain"]);
        s.push(' ');
        s.push_str(tag);
    }
    tidy(s)
}

/// Openers and asides people put around what they say; mixing them in keeps two replies built
/// from one template as far apart as two real people's replies (a handful of templates alone
/// would make every heavy replier look templated).
const OPENERS: &[&str] = &[
    "",
    "",
    "",
    "Honestly, ",
    "Wait, ",
    "Okay so ",
    "Lol ",
    "Hmm, ",
    "Yes! ",
    "Oh wow, ",
    "Right? ",
    "Same here. ",
    "Funny, ",
    "To be fair, ",
    "Ugh, ",
    "Ooh, ",
    "Agreed, and ",
    "Not gonna lie, ",
    "Heh. ",
    "Seriously, ",
];
const ASIDES: &[&str] = &[
    "",
    "",
    "",
    " Anyway.",
    " More on this later.",
    " Long story.",
    " Don't ask.",
    " My kettle agrees.",
    " Still thinking about it.",
    " Classic.",
    " Every single time.",
    " Told you so.",
    " Bit late to this, sorry.",
    " No regrets.",
    " We'll see.",
    " Ask me how I know.",
    " Sigh.",
    " Worth it.",
    " Going to bed now.",
    " Cheers for sharing.",
];

pub(crate) fn human_reply_body(rng: &mut Rng) -> String {
    if rng.chance(0.02) {
        return fill(rng, "{short} {emoji}", &[]).trim().to_string();
    }
    tidy(sentences(rng, HUMAN_REPLIES, 0.2))
}

/// One filled template between an opener and an aside, and with chance `second` another one
/// after it (untidied).
fn sentences(rng: &mut Rng, templates: &'static [&'static str], second: f64) -> String {
    let t = rng_pick_template(rng, templates);
    let opener = *rng.pick(OPENERS);
    let aside = *rng.pick(ASIDES);
    let mut s = format!("{opener}{}{aside}", fill(rng, t, &[]));
    if rng.chance(second) {
        let t = rng_pick_template(rng, templates);
        s.push(' ');
        s.push_str(&fill(rng, t, &[]));
    }
    s
}

pub(crate) fn rng_pick_template(rng: &mut Rng, templates: &'static [&'static str]) -> &'static str {
    templates[rng.below(templates.len() as u64) as usize]
}

pub(crate) const FIRST_NAMES: &[&str] = &[
    "maria", "james", "aisha", "tom", "lena", "kofi", "sofia", "ravi", "emma", "lucas", "yuki",
    "omar", "ines", "david", "chloe", "mateo", "hannah", "ivan", "grace", "noah", "zara", "felix",
    "amara", "leo", "nina", "sam", "priya", "ben", "elif", "jonas", "mei", "pablo", "ruth", "kai",
    "alma", "theo", "dana", "ali", "vera", "hugo",
];
const SURNAMES: &[&str] = &[
    "lopez", "smith", "khan", "berg", "okafor", "rossi", "tanaka", "novak", "silva", "walsh",
    "moreau", "kowalski", "haddad", "jensen", "park", "murphy", "costa", "weber", "ali", "ng",
];
pub(crate) const BRANDS: &[&str] = &[
    "Northwind",
    "Bright Basket",
    "Peakwear",
    "Kettle & Crumb",
    "Urban Sprout",
    "Bluefin Audio",
    "Maple Desk",
    "Lumen Home",
    "Trailhead Co",
    "Harbor Roast",
];
const OUTLETS: &[&str] = &[
    "citywire",
    "dailyledger",
    "harbourpost",
    "metrobeat",
    "valleytimes",
    "northstar",
];

/// A handle for an account, unique in a corpus through `index`.
pub(crate) fn handle_for(rng: &mut Rng, archetype: Archetype, index: usize) -> String {
    let person = |rng: &mut Rng| {
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(SURNAMES);
        match rng.below(3) {
            0 => format!("{first}_{last}{index}"),
            1 => format!("{first}{last}{index}"),
            _ => format!("{}{last}_{index}", &first[..1]),
        }
    };
    match archetype {
        Archetype::Human
        | Archetype::HeavyReplier
        | Archetype::OccasionalScheduler
        | Archetype::LinkResharer => person(rng),
        Archetype::SupportAgent => format!("{}_care{index}", brand_slug(rng.word(BRANDS))),
        Archetype::ScheduledPromoter => format!("{}_shop{index}", brand_slug(rng.word(BRANDS))),
        Archetype::AutoResponder => format!("{}_help{index}", brand_slug(rng.word(BRANDS))),
        Archetype::Newsroom => format!("{}_news{index}", rng.pick(OUTLETS)),
        Archetype::Brand => format!("{}{index}", brand_slug(rng.word(BRANDS))),
    }
}

pub(crate) fn brand_slug(brand: &str) -> String {
    brand
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// A handle of someone the account talks with.
pub(crate) fn other_handle(rng: &mut Rng) -> String {
    let first = *rng.pick(FIRST_NAMES);
    match rng.below(4) {
        0 => format!("{first}{}", rng.range(1, 999)),
        1 => format!("{first}_{}", rng.pick(SURNAMES)),
        2 => format!("the{first}{}", rng.range(10, 99)),
        _ => format!("{}{}", rng.pick(SURNAMES), rng.range(70, 99)),
    }
}

/// A person's posting clients: a main one and an occasional other.
pub(crate) fn human_clients(rng: &mut Rng) -> (&'static str, &'static str) {
    const CLIENTS: &[&str] = &[
        "Twitter for iPhone",
        "Twitter for Android",
        "Twitter Web App",
        "Twitter for iPad",
    ];
    let main = *rng.pick(CLIENTS);
    let other = *rng.pick(CLIENTS);
    (main, other)
}

pub(crate) fn client_of(rng: &mut Rng, clients: (&'static str, &'static str)) -> &'static str {
    if rng.chance(0.85) {
        clients.0
    } else {
        clients.1
    }
}
