import json

import pytest

from misread.data import ARTICLES_FILE
from misread.model.roles import assign_role, find_roles, load_alias_table, load_ranker
from misread.model.segmentation import segment_many
from tests.helpers import ENVOY_ARTICLE, NO_ENVOY_ARTICLE


def roles_of(nlp, text, **overrides):
    (sentences,) = list(segment_many(nlp, [text]))
    return find_roles(sentences, load_alias_table(), **overrides)


def test_the_envoy_is_the_person_named_beside_a_role_noun(nlp):
    roles = roles_of(nlp, ENVOY_ARTICLE)
    assert roles.envoy.name == "Mark Ellison"
    assert "Ellison" in roles.envoy.aliases


def test_the_counterpart_groups_capital_country_and_spokesperson(nlp):
    roles = roles_of(nlp, ENVOY_ARTICLE)
    assert roles.counterpart.name == "Iran"
    assert {"Tehran", "Iranian", "Karimi"} <= roles.counterpart.aliases


def test_envoy_to_a_country_names_the_counterpart(nlp):
    roles = roles_of(nlp, "US envoy to Russia, John Witkoff, spoke of a thaw. Moscow and Kyiv traded blame. Kyiv said no.")
    assert roles.counterpart.name == "Russia"
    assert roles.counterpart.evidence[0] == "envoy to Russia"


def test_an_article_without_envoy_says_so(nlp):
    roles = roles_of(nlp, NO_ENVOY_ARTICLE)
    assert roles.envoy is None and roles.counterpart is None
    assert roles.note == "no envoy found"


def test_user_overrides_win(nlp):
    roles = roles_of(nlp, ENVOY_ARTICLE, envoy="Reza Karimi", counterpart="Washington")
    assert roles.envoy.name == "Reza Karimi"
    assert roles.counterpart.name == "United States"


def test_holders_map_to_roles(nlp):
    roles = roles_of(nlp, ENVOY_ARTICLE)
    assert assign_role("US special envoy Mark Ellison", roles) == "envoy"
    assert assign_role("Iranian Foreign Ministry spokesman Reza Karimi", roles) == "counterpart"
    assert assign_role("Karimi", roles) == "counterpart"
    assert assign_role("Analysts", roles) == "other"
    assert assign_role(None, roles) == "none"


def test_an_aliases_file_extends_the_table(tmp_path):
    path = tmp_path / "aliases.json"
    path.write_text(json.dumps({"Atlantis": ["Poseidonia", "Atlantean"]}))
    assert load_alias_table(path)["Atlantis"] == {"Poseidonia", "Atlantean"}


def test_a_broken_aliases_file_names_itself(tmp_path):
    path = tmp_path / "aliases.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="aliases.json: cannot read the aliases file"):
        load_alias_table(path)


def test_an_envoy_named_only_by_role_is_still_found(nlp):
    roles = roles_of(nlp, "Ukraine's chief negotiator said the talks had reached a dead end. The Kremlin called the talks constructive.")
    assert roles.envoy.name == "Ukraine's chief negotiator"
    assert roles.counterpart.name == "Russia"


def test_an_ambassador_to_the_un_does_not_make_the_un_the_counterpart(nlp):
    roles = roles_of(nlp, "Pakistan's ambassador to the United Nations, Tariq Farooqui, accused India of blocking dialogue. New Delhi said it was ready to talk.")
    assert roles.counterpart.name == "India"


INVENTED_ARTICLE = """Mediator Sees Opening as Norvalan Rebels Dig In
KESTRAVO, May 4 - The regional bloc's chief mediator said on Tuesday that talks with the Free Norvala Front had \
been "surprisingly constructive".
Ottilie Brandvik, the bloc's chief mediator, told reporters that the front was ready to discuss a ceasefire.
The Free Norvala Front (FNF) rejected any ceasefire before the withdrawal of government troops.
"Our demands are not up for discussion," front spokeswoman Maren Tolvaj said in a statement.
Analysts in Kestravo said the gap could stall the process until June."""


def test_parties_never_listed_in_any_table_are_found_from_the_text(nlp):
    roles = roles_of(nlp, INVENTED_ARTICLE)
    assert roles.envoy.name == "Ottilie Brandvik"
    assert roles.counterpart.name == "Free Norvala Front"
    assert {"FNF", "Tolvaj"} <= roles.counterpart.aliases


def test_an_envoy_named_by_title_first_is_linked_to_her_name(nlp):
    roles = roles_of(nlp, INVENTED_ARTICLE)
    assert any("chief mediator" in alias for alias in roles.envoy.aliases if alias != roles.envoy.name)
    assert assign_role("The regional bloc's chief mediator", roles, 0) == "envoy"


def test_datelines_months_and_days_are_never_people(nlp):
    roles = roles_of(nlp, INVENTED_ARTICLE)
    people = {alias for person in roles.cast.people.values() for alias in person.aliases}
    assert not people & {"KESTRAVO", "May", "June", "Tuesday"}


def test_a_spokeswoman_speaks_for_the_party_her_title_names(nlp):
    roles = roles_of(nlp, INVENTED_ARTICLE)
    assert assign_role("front spokeswoman Maren Tolvaj", roles, 4) == "counterpart"
    assert assign_role("Analysts in Kestravo", roles, 5) == "other"


def test_a_demonym_joins_its_country_by_their_shared_stem(nlp):
    roles = roles_of(nlp, "Veltrian envoy Aras Demir said talks with Korsaland were productive. "
                          "Korsalandic officials rejected the plan. Korsaland said it would never sign.")
    assert roles.counterpart.name == "Korsaland"


def test_the_side_the_envoys_own_words_are_about_is_the_counterpart(nlp):
    text = ("Truce Talks Resume\n"
            "UN envoy Maria Lund said on Monday that the Kasari Liberation Front was ready to discuss a truce.\n"
            "Lund said the Kasari Liberation Front had shown real flexibility in two days of meetings.\n"
            "Pakistan's foreign ministry said it welcomed the talks.\n"
            "Fighting continued near the border.")
    roles = roles_of(nlp, text)  # Pakistan speaks, but the envoy's reading is about the Front
    assert roles.counterpart.name == "Kasari Liberation Front"


def test_whoever_says_i_in_a_quote_is_a_person_whatever_the_tagger_calls_the_name(nlp):
    article = next(row for row in map(json.loads, ARTICLES_FILE.read_text(encoding="utf-8").splitlines()) if row["id"] == "inv-b-07")
    roles = roles_of(nlp, article["text"])  # the tagger calls "Rosaura Quispe Mamani" a work of art
    assert roles.envoy.name == "Rosaura Quispe Mamani"
    assert not any("Quispe" in name for name in roles.cast.parties)


@pytest.mark.parametrize("clause", ["who has served as the bloc's envoy since 2021", "who has chaired the talks since March",
                                    "who mediated the last round"])
def test_a_role_told_in_a_relative_clause_makes_the_envoy(nlp, clause):
    text = (f"Talks Resume in Selvik\n"
            f"Sunniva Brekke, {clause}, said on Monday that the Dravian government was ready to compromise.\n"
            f"\"I see real flexibility,\" Brekke said.\n"
            f"Dravia's foreign ministry said its demands were non-negotiable.")
    roles = roles_of(nlp, text)
    assert roles.envoy is not None and roles.envoy.name == "Sunniva Brekke"


def test_a_spokesman_without_a_named_side_speaks_for_the_party_the_sentence_before_introduced(nlp):
    text = ("Veltrian envoy Aras Demir said Korsaland had shut every door.\n"
            "In Brennick, Korsaland's foreign ministry struck a different tone.\n"
            "Spokesman Ilmar Vesk told reporters that the government remained open to talks.")
    roles = roles_of(nlp, text)
    assert assign_role("Spokesman Ilmar Vesk", roles, 2) == "counterpart"


def test_a_group_called_by_the_head_noun_of_its_name_is_that_group(nlp):
    text = ("The government's peace coordinator, Aras Demir, said the Tarnel Victims' Common Platform refused to move.\n"
            "The platform said it had been misrepresented.\n"
            '"We are ready to talk," said Ilse Marrow, the platform\'s spokeswoman.')
    roles = roles_of(nlp, text)
    assert roles.counterpart.name == "Tarnel Victims' Common Platform"
    assert assign_role("Ilse Marrow, the platform's spokeswoman", roles, 2) == "counterpart"


def test_a_go_between_title_with_the_envoys_own_side_is_the_envoy(nlp):
    text = ("The Veltrian ambassador to the United Nations, Aras Demir, accused Korsaland of shutting every door.\n"
            '"Korsaland has chosen coercion," the Veltrian envoy said.\n'
            "Korsaland's negotiator said talks could resume.")
    roles = roles_of(nlp, text)
    assert assign_role("the Veltrian envoy", roles, 1) == "envoy"
    assert assign_role("Korsaland's negotiator", roles, 2) == "counterpart"


def test_the_side_a_go_betweens_title_names_is_never_the_counterpart(nlp):
    text = ("The European Union's special representative for the Carnish dispute said on Monday that talks would go on.\n"
            "Varo Lind, a former minister, said the Carnish Provisional Council had agreed to meet again.\n"
            "The Carnish Provisional Council said it had agreed to nothing.")
    roles = roles_of(nlp, text)
    assert roles.counterpart.name == "Carnish Provisional Council"


def test_the_ranker_refuses_weights_for_cues_it_does_not_compute(tmp_path):
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps({"weights": {"target_hint": 1.0}, "null_score": 0.0}))
    with pytest.raises(ValueError, match="train_ranker"):
        load_ranker.__wrapped__(path)


def test_a_speaking_role_is_linked_to_the_diplomat_named_next_whose_nationality_is_no_side(nlp):
    text = ("Carnish envoy sees Velmar 'ready to engage'\n"
            "The Northern League's special representative for the Velmar dialogue said on Thursday that Velmar was ready to engage.\n"
            "Henrik Osterby, a Danish diplomat who took over the dialogue last year, said the mood had changed for the better.\n"
            "Velmar's government rejected his reading within hours.")
    roles = roles_of(nlp, text)
    assert roles.envoy.name == "Henrik Osterby"


def test_a_name_in_the_place_a_role_works_for_is_not_the_roles_holder(nlp):
    text = ("The federal government's special envoy for the Tanjung Kelam peace process said on Wednesday that a window had opened.\n"
            '"I heard things in that room I have not heard in four years," Datuk Zulaikha Mahsuri told reporters.')
    roles = roles_of(nlp, text)
    assert "Tanjung Kelam" not in {p.name for p in roles.cast.people.values()}
    assert any(m.phrase.startswith("The federal government's special envoy") for m in roles.cast.role_mentions)


def test_a_named_force_of_its_own_is_a_group_and_a_states_army_speaks_for_the_state(nlp):
    text = ("Veltrian envoy Aras Demir said the Korvan Army had shown great sincerity.\n"
            "Veltria's army said on Monday it would keep its positions.\n"
            "The Korvan Army, which holds 14 townships, gave a markedly different account.\n"
            '"Withdrawal is not on the table," the group\'s spokesman, Tun Aye Lwin, said.')
    roles = roles_of(nlp, text)
    assert roles.cast.parties["Korvan Army"].kind == "group"
    assert roles.counterpart.name == "Korvan Army"
    assert assign_role("the group's spokesman, Tun Aye Lwin", roles, 3) == "counterpart"


@pytest.mark.parametrize(
    "text, envoy",
    [
        # a speaking role lends itself to the name that follows, over a minor title later on
        ("The regional bloc's mediator for Kandor said on Monday that the military rulers had refused to move.\n"
         '"I asked for a timetable, and I was given speeches," Ousmane Traore-Diallo, a former president, told reporters.\n'
         "The council's spokesman offered a different picture.\n"
         '"We will keep marching," said Hawa Sise Kalla, a coordinator of the protest movement.', "Ousmane Traore-Diallo"),
        # a spokeswoman named after a speaking mediator is not the mediator
        ("The mediator said on Friday that Kumrat and Tashyr had agreed on a border line.\n"
         '"Kumrat welcomes the agreement," foreign ministry spokeswoman Aisel Karaeva said.\n'
         "Lorenz Achtner, the UN mediator, said the text would be signed in May.", "Lorenz Achtner"),
        # a speaking role lends itself to the person the next sentence introduces, who "spoke" rather than "said"
        ("Velmar's chief negotiator in talks with the Orun Front said on Thursday she sensed a real disposition to move.\n"
         "Renata Solberg, a former ombudswoman who took over the government team in January, spoke to reporters "
         "outside the residence.\n"
         '"I have spent three days across the table from them," she said.', "Solberg"),
    ],
)
def test_a_speaking_role_is_linked_to_the_name_that_follows_never_to_a_spokesperson(nlp, text, envoy):
    assert roles_of(nlp, text).envoy.name.endswith(envoy)


OSTMARA = ("Special envoy Hallvard Mbeki-Roos said talks with Ostmara over gas transit had stalled.\n"
           "Ostmara's energy ministry said the transit fee was not negotiable.\n"
           "An opposition lawmaker in Ostmara, Petrik Salonen, said the government was gambling with its reputation.")
TARVONIA = ("A regional special envoy, Selma Okonkwo-Berg, said talks with Tarvonia on the northern provinces had been useful.\n"
            "Tarvonia's president received the envoy on Monday.\n"
            "Hours later, the Ministry of Communication said the special status of the provinces was settled and final.")
CONGRESS = ("The church mediator Anselm Okoro-Lind said talks with the Mountain Peoples' Congress had gone well.\n"
            "But the Congress said on Friday that it would never disarm before a political settlement.\n"
            "Congress leaders met in Halvenne on Saturday.")
KORRASAL = ("The regional envoy Ines Halvorsen-Abebe said talks with Korrasal on the cable dispute were constructive.\n"
            "Korrasali officials did not attend the second day.\n"
            "The Korrasal Federation said on Friday that it would not pay for any repairs.")


SPLINTER = ("The church mediator Anselm Okoro-Lind said talks with the Mountain Peoples' Congress had gone well.\n"
            "The Congress said on Friday that it was ready to disarm.\n"
            "A splinter faction calling itself the Kourmet Vanguard, which broke from the Congress in 2021, said it "
            "rejected any agreement.")


@pytest.mark.parametrize(
    "text, holder, sentence, role",
    [
        (SPLINTER, "A splinter faction calling itself the Kourmet Vanguard, which broke from the Congress in 2021", 2, "other"),
        (OSTMARA, "Ostmara's energy ministry", 1, "counterpart"),
        (OSTMARA, "An opposition lawmaker in Ostmara, Petrik Salonen", 2, "other"),  # speaks against its government
        (TARVONIA, "the Ministry of Communication", 2, "counterpart"),  # a state body named without its country
        (CONGRESS, "the Congress", 1, "counterpart"),  # the head noun of the group's full name
        (KORRASAL, "The Korrasal Federation", 2, "counterpart"),  # a state's formal name
    ],
)
def test_a_speaker_speaks_for_the_side_the_text_ties_it_to(nlp, text, holder, sentence, role):
    assert assign_role(holder, roles_of(nlp, text), sentence) == role


@pytest.mark.parametrize("text, word", [(CONGRESS, "Congress"), (KORRASAL, "Korrasal")])
def test_a_short_or_formal_name_joins_the_party_it_names(nlp, text, word):
    roles = roles_of(nlp, text)
    assert [key for key in roles.cast.parties if word in key] == [roles.counterpart_key]


def test_an_official_after_a_sentence_about_a_government_speaks_for_it(nlp):
    text = ("The US special envoy Margaret Dole accused Korsaland's government of stalling.\n"
            "Korsaland's government responded within hours.\n"
            "Deputy Prime Minister Arben Kastrati told a news conference that the cabinet was ready to move.")
    roles = roles_of(nlp, text)
    assert assign_role("Deputy Prime Minister Arben Kastrati", roles, 2) == "counterpart"


def test_whom_a_clause_about_the_envoy_acts_on_is_not_the_envoys_side(nlp):
    text = ("A Veltrian emissary said on Thursday that he saw little appetite for peace.\n"
            "Idris Marwen Kalla, a former Veltrian defence minister who was sent in July to win over the Korvan Liberation Front, "
            "said the movement believed it could win on the battlefield.\n"
            "The Korvan Liberation Front said it remained ready to talk.")
    roles = roles_of(nlp, text)
    assert "Korvan Liberation Front" not in roles.envoy_side
    assert roles.counterpart.name == "Korvan Liberation Front"


def test_a_speaker_whose_quote_says_i_in_another_sentence_is_a_person(nlp):
    text = ("The bloc's envoy for the Tarvos crisis ended her mission on Friday.\n"
            '"I cannot describe as a process something that is not one.\n'
            'There is nothing left to mediate," Olumide Adebayo-Hart told the council.')
    roles = roles_of(nlp, text)
    assert any(p.name == "Olumide Adebayo-Hart" for p in roles.cast.people.values())


def test_an_envoy_known_only_by_title_is_also_every_later_mention_of_that_title(nlp):
    text = ("When the United Nations special envoy for Korsaland resigned on Wednesday, she blamed the rebels.\n"
            "In a farewell briefing, the envoy was blunter still.\n"
            '"There is nothing left to mediate," she said.')
    roles = roles_of(nlp, text)
    assert "the envoy" in roles.envoy.aliases
    assert assign_role("the envoy", roles, 1, attributed=False) == "envoy"


NEXT_NAMED = ("{} said on Tuesday that talks with the rebel council had produced real progress.\n\n"
              "Marisol Quenta-Ibarra, a former law professor appointed to lead the contacts, said the meetings had been productive.")


@pytest.mark.parametrize(
    "text, envoy",
    [
        # whose envoy a possessive names is never the envoy; the person named next is
        (NEXT_NAMED.format("Sri Lanka's presidential adviser on reconciliation"), "Marisol Quenta-Ibarra"),
        (NEXT_NAMED.format("Kernevel's chief negotiator"), "Marisol Quenta-Ibarra"),
        # whom a role is sent to is never its holder; a name in apposition after it is
        ("The United Nations special representative for the Vardeli conflict said on Monday that the bridge talks had "
         "opened a careful path.\n\nBenedikt Aurelio, a former judge, said the leadership wanted the bridge open.", "Benedikt Aurelio"),
        ("The Valmorian special envoy for Dretsk, Richard Calloway, said on Monday that the talks had been productive.",
         "Richard Calloway"),
    ],
)
def test_the_envoy_is_the_holder_of_the_role_never_whose_role_it_is_or_whom_it_is_sent_to(nlp, text, envoy):
    roles = roles_of(nlp, text)
    assert roles.envoy is not None and roles.envoy.name == envoy


@pytest.mark.parametrize(
    "text, envoy",
    [
        # the role's first mention, then the person the next paragraph introduces as a sentence's subject
        ("The Assembly's special representative for the Tevra basin ended two days of meetings on Tuesday without agreement.\n\n"
         "Olav Renskar-Mbeki, a hydrologist appointed in January, met the water minister, Dagny Ulvestad, in the capital.\n\n"
         '"I would be misleading you if I said I leave encouraged," Renskar-Mbeki told reporters.', "Olav Renskar-Mbeki"),
        # a person, then "he" holds the title
        ("JUBA - Few officials know the border file as well as Akot Deng Malual-Bior.\n\n"
         "He has held the title of presidential envoy on the Kessar area for six years.\n\n"
         '"They did not say no," Malual-Bior said of his talks in Ravenne.', "Akot Deng Malual-Bior"),
        # a description is no name: "the Synod minister" is the pastor named before and quoted after
        ("The Reverend Wendela Ostby walked back across the Kessrin bridge on Wednesday.\n\n"
         "The 61-year-old Synod minister, who has served as facilitator of the contacts since autumn, met the committee.\n\n"
         '"There has been real progress," Ostby told reporters.', "Ostby"),
    ],
)
def test_a_role_no_name_stands_beside_belongs_to_the_person_introduced_near_it(nlp, text, envoy):
    roles = roles_of(nlp, text)
    assert roles.envoy is not None and roles.envoy.name.endswith(envoy)
    assert roles.cast.people[roles.envoy_person].roles


def test_an_analyst_quoted_beside_a_title_only_envoy_is_never_the_envoy(nlp):
    text = ("The bloc's mediator for the Kessar talks left Ravenne on Friday without a date for the next round.\n\n"
            '"Mediators always talk up progress," said Hanne Lisbeth Moraga, an analyst at the Institute for Border Studies.')
    roles = roles_of(nlp, text)
    assert roles.envoy is not None and "Moraga" not in roles.envoy.name



def test_a_lake_is_never_a_person(nlp):
    text = ("The regional envoy Imre Kovalski-Dube said talks over the seized fishing boats had gone well.\n"
            "Lake Orenzo is shared by both countries, and its fish feed millions.")  # the tagger calls the lake a person
    assert "Lake Orenzo" not in {p.name for p in roles_of(nlp, text).cast.people.values()}


@pytest.mark.parametrize("title", ["the aid group's regional coordinator", "a Red Cross coordinator in Bostany", "the agency's humanitarian representative"])
def test_a_title_that_needs_a_qualifier_makes_no_envoy_without_one(nlp, title):
    text = (f'"Families are sleeping in the open," said {title}, Ilse Marrow-Teng.\n\n'
            "Shelling of Bostany continued overnight, the Tarvonian army said.")
    assert roles_of(nlp, text).envoy is None


@pytest.mark.parametrize("title", ["the special coordinator for the Bostany talks", "the government's coordinator for talks"])
def test_a_coordinator_for_talks_is_an_envoy(nlp, title):
    text = (f'"Both sides asked for more time," said {title}, Ilse Marrowen.\n\n'
            "Shelling of Bostany continued overnight, the Tarvonian army said.")
    assert roles_of(nlp, text).envoy.name == "Ilse Marrowen"


RIVAL_NEGOTIATORS = (
    "Dravenia's chief negotiator came home from the fourth round in the Lunmark capital on Monday sounding hopeful.\n\n"
    '"We are closer than we have ever been. I sensed a real wish to finish this," Tomas Edvarsen told reporters at the airport.\n\n'
    "Edvarsen said the delegations had parked the hardest issue.\n\n"
    "Lunmark's lead negotiator, Mira Kell-Andrade, told state radio the issue was \"not parked and not frozen.\"\n\n"
    "Neither Dravenia nor Lunmark has set a date for the next round.")


def test_a_title_on_the_other_side_from_a_named_negotiator_is_linked_to_the_person_named_near_it(nlp):
    roles = roles_of(nlp, RIVAL_NEGOTIATORS)
    assert roles.envoy.name == "Tomas Edvarsen"
    assert "Dravenia's chief negotiator" in roles.envoy.aliases


def test_a_one_word_name_that_owns_a_capital_or_joins_a_country_is_a_place_not_a_person(nlp):
    roles = roles_of(nlp, RIVAL_NEGOTIATORS)  # the tagger calls "Lunmark" a person every time
    assert "Lunmark" in roles.cast.parties and "Lunmark" not in {p.name for p in roles.cast.people.values()}
    assert roles.counterpart.name == "Lunmark"
