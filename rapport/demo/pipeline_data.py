"""Word lists and weights for the demo catalogue and pipeline: what Meridian sells, how its deals are
named, why they are won or lost and what the sales team writes as the next step. English, like the
rest of the demo data."""

from __future__ import annotations

from decimal import Decimal

# --- catalogue ------------------------------------------------------------------------------------------

PUMPS, VALVES, SENSORS, SERVICES, SOFTWARE = "Pumps", "Valves", "Sensors", "Services", "Software licences"

#: family → (SKU prefix, tax rate %)
FAMILIES: dict[str, tuple[str, Decimal]] = {
    PUMPS: ("PMP", Decimal("23")),
    VALVES: ("VLV", Decimal("19")),
    SENSORS: ("SNS", Decimal("20")),
    SERVICES: ("SRV", Decimal("11")),
    SOFTWARE: ("SWL", Decimal("5")),
}
#: products whose tax rate is not their family's (exported training, reduced-rate documentation)
TAX_EXCEPTIONS: dict[str, Decimal] = {"SRV-110": Decimal("0"), "SRV-120": Decimal("0")}

#: family, SKU number, name, unit, list price (EUR), description
PRODUCTS: tuple[tuple[str, int, str, str, str, str], ...] = (
    (PUMPS, 100, "Centrifugal pump CP-40", "pcs", "1850.00", "End-suction pump for clean water, up to 40 m³/h."),
    (PUMPS, 110, "Centrifugal pump CP-80", "pcs", "3420.00", "End-suction pump for clean water, up to 80 m³/h."),
    (PUMPS, 120, "Multistage pump MS-12", "pcs", "5680.00", "High-pressure multistage pump for boiler feed."),
    (PUMPS, 130, "Submersible pump SB-7", "pcs", "1290.00", "Drainage and wastewater, 7.5 kW."),
    (PUMPS, 140, "Dosing pump DX-2", "pcs", "740.00", "Diaphragm dosing pump for chemicals."),
    (PUMPS, 150, "Booster set BS-3", "pcs", "9800.00", "Three-pump pressure booster set with controller."),
    (PUMPS, 160, "Mechanical seal kit", "pcs", "185.00", "Spare seal kit for CP and MS pumps."),
    (PUMPS, 170, "Impeller CP-80", "pcs", "420.00", "Spare impeller, duplex stainless steel."),
    (VALVES, 100, "Butterfly valve DN100", "pcs", "310.00", "Wafer-type butterfly valve, PN16."),
    (VALVES, 110, "Butterfly valve DN200", "pcs", "640.00", "Wafer-type butterfly valve, PN16."),
    (VALVES, 120, "Ball valve DN50 stainless", "pcs", "215.00", "Full-bore ball valve, AISI 316."),
    (VALVES, 130, "Control valve CV-25", "pcs", "1480.00", "Globe control valve with positioner."),
    (VALVES, 140, "Check valve DN80", "pcs", "165.00", "Dual-plate check valve."),
    (VALVES, 150, "Pressure relief valve PR-16", "pcs", "390.00", "Spring-loaded safety valve, 16 bar."),
    (VALVES, 160, "Electric actuator EA-60", "pcs", "920.00", "Quarter-turn actuator, 24 V, 60 Nm."),
    (VALVES, 170, "Pneumatic actuator PA-120", "pcs", "560.00", "Double-acting pneumatic actuator."),
    (SENSORS, 100, "Pressure transmitter PT-10", "pcs", "265.00", "0-10 bar, 4-20 mA with HART."),
    (SENSORS, 110, "Temperature probe TP-100", "pcs", "89.00", "Pt100 probe with thermowell."),
    (SENSORS, 120, "Electromagnetic flow meter FM-50", "pcs", "1980.00", "DN50 magmeter for conductive liquids."),
    (SENSORS, 130, "Ultrasonic level sensor LS-6", "pcs", "640.00", "Non-contact level up to 6 m."),
    (SENSORS, 140, "Vibration sensor VS-3", "pcs", "310.00", "Tri-axial vibration sensor for pumps and motors."),
    (SENSORS, 150, "Wireless gateway GW-1", "pcs", "1150.00", "Collects up to 250 wireless sensors."),
    (SENSORS, 160, "Conductivity sensor CS-2", "pcs", "430.00", "Inline conductivity for water treatment."),
    (SENSORS, 170, "Sensor mounting kit", "pcs", "45.00", "Brackets and glands for one sensor."),
    (SERVICES, 100, "Commissioning engineer", "h", "95.00", "On-site commissioning, per hour."),
    (SERVICES, 110, "Operator training", "h", "120.00", "Classroom or on-site training, per hour."),
    (SERVICES, 120, "Technical documentation package", "pcs", "1400.00", "Drawings, manuals and certificates."),
    (SERVICES, 130, "Preventive maintenance visit", "pcs", "680.00", "Inspection and service of one installation."),
    (SERVICES, 140, "Energy audit", "pcs", "3200.00", "Measurement and report on pumping energy use."),
    (SERVICES, 150, "Remote support", "h", "75.00", "Remote diagnosis by an application engineer."),
    (SERVICES, 160, "Extended warranty, 3 years", "pcs", "540.00", "Per installed pump or valve assembly."),
    (SERVICES, 170, "Installation supervision", "h", "105.00", "Supervision of the installer's work."),
    (SOFTWARE, 100, "FlowView monitoring, per site", "licence", "1200.00", "Yearly subscription for one site."),
    (SOFTWARE, 110, "FlowView user", "licence", "180.00", "Yearly named-user licence."),
    (SOFTWARE, 120, "PumpSizer design tool", "licence", "650.00", "Yearly licence for the sizing software."),
    (SOFTWARE, 130, "Predictive maintenance module", "licence", "2400.00", "Yearly, per site; needs FlowView."),
    (SOFTWARE, 140, "Energy dashboard add-on", "licence", "900.00", "Yearly, per site."),
    (SOFTWARE, 150, "API access", "licence", "1500.00", "Yearly licence for the integration API."),
    (SOFTWARE, 160, "Mobile inspection app", "licence", "120.00", "Yearly, per device."),
    (SOFTWARE, 170, "On-premise server licence", "licence", "8500.00", "Perpetual licence for one server."),
)
#: discontinued products stay in the catalogue, inactive
INACTIVE_SKUS = frozenset({"PMP-170", "SWL-160"})

#: price-book factor per currency on top of the exchange rate (local list prices)
MARKET_FACTOR: dict[str, Decimal] = {
    "EUR": Decimal("1"),
    "PLN": Decimal("0.95"),
    "USD": Decimal("1.06"),
    "GBP": Decimal("1.02"),
    "IDR": Decimal("0.88"),
    "TWD": Decimal("0.94"),
}
KEY_ACCOUNT_FACTOR = Decimal("0.90")  # the key-account price book: 10 % below the general one

#: quantities per unit and family (low, high)
QUANTITY: dict[str, tuple[int, int]] = {
    PUMPS: (1, 12),
    VALVES: (2, 60),
    SENSORS: (4, 120),
    SERVICES: (1, 6),
    SOFTWARE: (1, 25),
}
HOURS = (8, 16, 24, 40, 60, 80, 120, 160)
DISCOUNTS = (
    (Decimal("0"), 40), (Decimal("2.5"), 8), (Decimal("5"), 18), (Decimal("7.5"), 8), (Decimal("10"), 14),
    (Decimal("12"), 6), (Decimal("15"), 6),
)  # fmt: skip

# --- opportunities ----------------------------------------------------------------------------------------

#: stage name (of the default pipeline) → share of opportunities in it
STAGE_WEIGHTS: dict[str, int] = {
    "Prospecting": 22,
    "Qualification": 17,
    "Needs analysis": 13,
    "Proposal": 11,
    "Negotiation": 7,
    "Won": 15,
    "Lost": 15,
}
#: share of open deals that sit in their stage longer than the stage's "stuck after"
STUCK_SHARE = 0.22
#: share of open deals whose expected close date has already passed
OVERDUE_SHARE = 0.08
#: chance that an intermediate stage is skipped on the way (a deal jumping from Qualification to Proposal)
SKIP_SHARE = 0.08
#: chance that a deal goes back a stage and forward again (the customer reopens the scope), and again
#: after each time: ~1.3 returns per deal that got past its first stage, ~5 stage changes per deal
REWORK_SHARE = 0.56
LINE_COUNTS = ((1, 35), (2, 35), (3, 20), (4, 10))
CONTACT_ROLE_COUNTS = ((1, 55), (2, 45))
COMPETITOR_SHARE = 0.4
COST_SHARE = 0.25
#: how long ago closed deals closed (days) and how far ahead open ones close
CLOSED_WITHIN_DAYS = 60
CLOSE_AHEAD_DAYS = 180

#: main family → what such a deal is called (the account's name goes first)
DEAL_THEMES: dict[str, tuple[str, ...]] = {
    PUMPS: (
        "Pump replacement",
        "Boiler feed upgrade",
        "Cooling water pumps",
        "Pressure booster station",
        "Wastewater pumping",
        "Spare pumps framework",
        "Dosing line extension",
    ),
    VALVES: (
        "Valve retrofit",
        "Automated valves for line 2",
        "Control valve upgrade",
        "Safety valves renewal",
        "Actuator rollout",
        "Valve framework agreement",
    ),
    SENSORS: (
        "Flow metering",
        "Condition monitoring pilot",
        "Level measurement upgrade",
        "Wireless sensors rollout",
        "Water quality sensors",
        "Instrumentation refresh",
    ),
    SERVICES: (
        "Service contract",
        "Maintenance programme",
        "Energy audit",
        "Commissioning support",
        "Operator training",
        "Warranty extension",
    ),
    SOFTWARE: (
        "FlowView rollout",
        "Predictive maintenance",
        "Monitoring subscription",
        "Energy dashboard",
        "Integration project",
        "Licence renewal",
    ),
}
#: what goes after the theme, sometimes ("Pump replacement — Plant 2")
DEAL_SUFFIXES = (
    "Plant 2", "Hall B", "north site", "phase 2", "line 3", "2026", "new building", "pilot", "HQ", "all sites",
)  # fmt: skip

NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "Prospecting": (
        "Call to confirm interest",
        "Send company presentation",
        "Book a first meeting",
        "Find the maintenance manager's contact",
        "Invite to the open day",
    ),
    "Qualification": (
        "Confirm budget and timeline",
        "Site visit to see the installation",
        "Qualification call with the plant manager",
        "Ask for the current pump list",
        "Check who signs off the purchase",
    ),
    "Needs analysis": (
        "Measure flows on site",
        "Workshop with the engineering team",
        "Collect P&IDs and duty points",
        "Technical clarification call",
        "Prepare sizing in PumpSizer",
    ),
    "Proposal": (
        "Send the proposal",
        "Walk the customer through the offer",
        "Revise the offer after feedback",
        "Answer the technical questions",
        "Follow up on the proposal",
    ),
    "Negotiation": (
        "Agree payment terms",
        "Call with procurement about the discount",
        "Send the contract draft",
        "Meet the CFO to close",
        "Confirm delivery dates",
    ),
}
WON_REASONS = (
    "Best total cost of ownership",
    "Shortest delivery time",
    "Existing installed base",
    "Local service team",
    "Energy savings shown in the audit",
    "Strong reference from a sister plant",
)
LOST_REASONS = (
    "Price too high",
    "Competitor's existing framework agreement",
    "Project postponed",
    "Budget cut",
    "Chose a local supplier",
    "No decision made",
    "Technical requirements not met",
    "Lost contact with the decision maker",
)
CONTACT_ROLES = (
    ("decision_maker", 20), ("economic_buyer", 14), ("technical_evaluator", 22), ("champion", 14),
    ("influencer", 14), ("user", 12), ("other", 4),
)  # fmt: skip
COMPETITOR_STRENGTHS = (
    "Lower price",
    "Incumbent supplier",
    "Local warehouse",
    "Strong relationship with procurement",
    "Broader product range",
    "Fast delivery",
)
COMPETITOR_WEAKNESSES = (
    "Long lead times",
    "Weak service coverage",
    "Higher energy use",
    "No monitoring software",
    "Poor references",
    "",
)
#: category, (low, high) in EUR, description
COSTS = (
    ("travel", (120, 900), "Site visit"),
    ("travel", (80, 450), "Travel to the customer's plant"),
    ("samples", (150, 1200), "Demo unit shipped for a trial"),
    ("entertainment", (60, 400), "Dinner with the project team"),
    ("events", (200, 1500), "Stand at the customer's supplier day"),
    ("other", (50, 300), "Courier for documentation"),
)
#: account type → how likely its accounts are to get opportunities (relatively)
ACCOUNT_TYPE_WEIGHTS = {"customer": 5, "prospect": 3, "partner": 2, "competitor": 0}
