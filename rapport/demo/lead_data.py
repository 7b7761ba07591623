"""Word lists and shares for demo leads: sources, campaigns, events, needs, reasons, tags and rules."""

from __future__ import annotations

from typing import Any

from rapport.leads.models import LeadStatus, RuleOperator

#: LeadSource code → relative share of the leads
SOURCES = (
    ("web_form", 25),
    ("campaign", 20),
    ("purchased_list", 18),
    ("event", 12),
    ("own_prospecting", 12),
    ("referral", 8),
    ("partner", 5),
)
#: sources whose leads marketing enters (the others are entered by the salesperson who owns them)
MARKETING_SOURCES = frozenset({"campaign", "purchased_list", "event"})

#: status shares by the lead's age: fresh leads are mostly untouched, older ones mostly decided
STATUSES_FRESH = ((LeadStatus.NEW, 75), (LeadStatus.CONTACTED, 25))  # under a week old
STATUSES_RECENT = (  # under a month old
    (LeadStatus.NEW, 45),
    (LeadStatus.CONTACTED, 35),
    (LeadStatus.QUALIFIED, 10),
    (LeadStatus.DISQUALIFIED, 7),
    (LeadStatus.CONVERTED, 3),
)
STATUSES_OLDER = (
    (LeadStatus.NEW, 24),
    (LeadStatus.CONTACTED, 27),
    (LeadStatus.QUALIFIED, 13),
    (LeadStatus.DISQUALIFIED, 20),
    (LeadStatus.CONVERTED, 16),
)
#: how often a lead's need is identified, by status
NEED_SHARE: dict[str, float] = {
    LeadStatus.NEW: 0.15,
    LeadStatus.CONTACTED: 0.45,
    LeadStatus.QUALIFIED: 0.95,
    LeadStatus.DISQUALIFIED: 0.2,
    LeadStatus.CONVERTED: 0.95,
}
#: how often a lead has an estimated value, by status
VALUE_SHARE: dict[str, float] = {
    LeadStatus.NEW: 0.35,
    LeadStatus.CONTACTED: 0.55,
    LeadStatus.QUALIFIED: 0.9,
    LeadStatus.DISQUALIFIED: 0.3,
    LeadStatus.CONVERTED: 0.9,
}
#: how often each qualification criterion is ticked as met, by status (None: checklist untouched)
CRITERION_SHARE: dict[str, float | None] = {
    LeadStatus.NEW: None,
    LeadStatus.CONTACTED: 0.35,
    LeadStatus.QUALIFIED: 0.85,
    LeadStatus.DISQUALIFIED: 0.15,
    LeadStatus.CONVERTED: 0.9,
}
CRITERIA = ("budget", "authority", "need", "timeline")
#: estimated values, in EUR before conversion to the market's currency (log-uniform)
VALUE_RANGE_EUR = (2_000, 400_000)

DISQUALIFY_REASONS = (
    "No budget this year.",
    "A private person, not a company.",
    "Under contract with a competitor until 2028.",
    "Not reachable after five attempts.",
    "Too small for our products.",
    "Already a customer: passed to the account owner.",
    "Outside our sales area.",
    "Student research project, no purchase planned.",
)
NEEDS = (
    "Replacing ageing CNC machines at one plant by next spring.",
    "Looking for a service contract covering three sites.",
    "Wants a quote for spare parts, about 40 items a month.",
    "Extending the warehouse; needs conveyors and racking.",
    "Energy audit of the production hall, then new drives.",
    "Choosing a supplier for a new production line.",
    "Current supplier misses delivery dates; wants a second source.",
    "Needs automation for the packaging line before peak season.",
    "Asked for training for 20 maintenance technicians.",
    "Modernising the control systems of two older lines.",
)
CAMPAIGNS = (
    "Webinar: predictive maintenance",
    "Spring newsletter",
    "Energy savings campaign",
    "E-book: automation on a budget",
    "Service contract mailing",
    "Customer stories video series",
)
#: trade fairs by the region where they take place
EVENTS = {
    "EMEA": ("Hannover Messe", "ITM Industry Europe", "Automatica", "Southern Manufacturing"),
    "Americas": ("FABTECH", "IMTS", "Automate"),
    "APAC": ("Manufacturing Indonesia", "Taipei AMPA", "Computex"),
}
PURCHASED_LISTS = ("Manufacturers over 250 staff", "Logistics companies", "New companies this quarter")
TAGS = ("Trade fair", "Newsletter", "Key prospect", "Call back", "Budget next year", "Decision maker")
#: how many tags a lead has (0 for most)
TAG_COUNTS = ((0, 62), (1, 28), (2, 10))

#: (utm_source, utm_medium, utm_term options, utm_content options) for web-form leads
UTM_CHANNELS = (
    ("google", "cpc", ("industrial automation", "cnc service", "conveyor systems"), ("text-ad-1", "text-ad-2")),
    ("linkedin", "social", ("",), ("carousel", "video")),
    ("newsletter", "email", ("",), ("header-link", "footer-banner")),
    ("bing", "cpc", ("spare parts supplier", "machine maintenance"), ("text-ad-1",)),
    ("", "", ("",), ("",)),  # typed the address or came from a search result
)
UTM_CAMPAIGNS = ("spring-automation", "service-contracts", "energy-savings", "brand")

WEB_FORMS: tuple[tuple[str, str, list[dict[str, Any]]], ...] = (  # name, campaign, fields
    (
        "Contact us",
        "Website",
        [
            {"name": "first_name", "required": False, "label": "First name"},
            {"name": "last_name", "required": True, "label": "Last name"},
            {"name": "email", "required": True, "label": "E-mail"},
            {"name": "company", "required": False, "label": "Company"},
            {"name": "phone", "required": False, "label": "Phone"},
            {"name": "description", "required": False, "label": "How can we help?"},
        ],
    ),
    (
        "Demo request",
        "Product demo",
        [
            {"name": "first_name", "required": True, "label": "First name"},
            {"name": "last_name", "required": True, "label": "Last name"},
            {"name": "email", "required": True, "label": "Work e-mail"},
            {"name": "company", "required": True, "label": "Company"},
            {"name": "country", "required": True, "label": "Country"},
            {"name": "need_description", "required": False, "label": "What would you like to see?"},
        ],
    ),
)
THANK_YOU_URL = "https://www.meridian-industrial.example/thank-you"

#: (name, field, operator, value, points): what the demo's scoring looks at
SCORING_RULES = (
    ("Need identified", "need_identified", RuleOperator.IS_SET, "", 25),
    ("Estimated value over 50,000 EUR", "estimated_value", RuleOperator.GREATER, "50000", 20),
    ("Came through a referral", "source", RuleOperator.EQUALS, "referral", 15),
    ("Budget confirmed", "criterion_budget", RuleOperator.IS_SET, "", 10),
    ("No phone number", "phone", RuleOperator.IS_EMPTY, "", -10),
)
#: (name, countries, team): leads from these countries go round-robin to the team's salespeople
ASSIGNMENT_RULES = (
    ("Poland to the Polish team", "Poland, Polska", "Poland"),
    ("Germany to the German team", "Germany, Deutschland", "Germany"),
)

#: shares of generated leads that repeat someone already in the database (the duplicate panel)
CONTACT_DUPLICATE_SHARE = 0.04
LEAD_DUPLICATE_SHARE = 0.02
LEAD_AGE_DAYS = 540
PRIVATE_MAIL_SHARE = 0.12
