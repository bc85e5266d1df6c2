"""The demo store's own words: products, help articles, stores. Written for tandem; fictional."""

from __future__ import annotations

STORE_NAME = "Northwind Home & Audio"

# category -> (base names, price range)
PRODUCT_LINES: dict[str, tuple[tuple[str, ...], tuple[int, int]]] = {
    "headphones": (
        (
            "Aria Wireless Headphones",
            "Aria Pro Noise-Cancelling Headphones",
            "Pulse Sport Earbuds",
            "Pulse Mini Earbuds",
            "Studio Monitor Headphones",
        ),
        (29, 249),
    ),
    "speakers": (
        (
            "Echo Cube Speaker",
            "Echo Cube Max Speaker",
            "Driftwood Bookshelf Speakers",
            "Pocket Beat Speaker",
            "Soundbar 300",
        ),
        (35, 399),
    ),
    "kitchen": (
        (
            "Brewline Drip Coffee Maker",
            "Brewline Espresso Machine",
            "Copperleaf Kettle",
            "Quickblend Blender",
            "Crisp Air Fryer",
            "Toastmaster 4-Slice Toaster",
        ),
        (25, 449),
    ),
    "bags": (
        ("Trailhead 30L Backpack", "Commuter Laptop Backpack", "Weekender Duffel Bag", "City Tote Bag"),
        (39, 149),
    ),
    "footwear": (("Stride Running Shoes", "Stride Trail Shoes", "Cloudstep Walking Shoes"), (59, 159)),
    "lighting": (("Lumen Desk Lamp", "Lumen Floor Lamp", "Glow Smart Bulb 4-Pack"), (19, 129)),
    "wearables": (("Tempo Smart Watch", "Tempo Fitness Band", "Tempo Watch Strap"), (15, 299)),
    "accessories": (("Armour Phone Case", "Volt 20W Charger", "Volt Power Bank 10000", "Braided USB-C Cable"), (9, 59)),
}
COLOURS = ("black", "white", "graphite", "sage", "navy", "sand")

STORES = [
    {
        "name": "Northwind Manchester",
        "address": "14 Tib Lane, Manchester M2 4JB",
        "phone": "0161 496 0123",
        "services": ["collection", "returns", "demo room", "appointments"],
    },
    {
        "name": "Northwind Leeds",
        "address": "3 Bond Court, Leeds LS1 2JZ",
        "phone": "0113 496 0456",
        "services": ["collection", "returns"],
    },
    {
        "name": "Northwind Bristol",
        "address": "27 Corn Street, Bristol BS1 1HT",
        "phone": "0117 496 0789",
        "services": ["collection", "returns", "appointments"],
    },
]

BUSINESS_HOURS = {
    "timezone": "Europe/London",
    "weekly": {
        "mon": ["08:00", "20:00"],
        "tue": ["08:00", "20:00"],
        "wed": ["08:00", "20:00"],
        "thu": ["08:00", "20:00"],
        "fri": ["08:00", "20:00"],
        "sat": ["09:00", "17:00"],
        "sun": None,
    },
    "holidays": ["2026-12-25", "2026-12-26", "2027-01-01", "2027-04-02", "2027-04-05"],
    "contact": {"email": "help@northwind.example", "phone": "0800 496 0000", "chat": "24/7 with the AI assistant"},
}

REFUND_POLICY = {
    "window_days": 30,
    "condition": "unused, or faulty",
    "excluded_categories": ["wearables straps opened", "gift cards"],
    "ai_max_amount": 150,
    "per_customer_per_90_days": 3,
}

ARTICLES: list[dict[str, object]] = [
    {
        "slug": "returns-and-refunds",
        "title": "Returns and refunds",
        "policy_clause": "R1",
        "tags": ["refund", "return", "money back"],
        "body": "You can return most items within 30 days of delivery for a full refund, as long as they are "
        "unused and in their original packaging. Faulty items can be returned at any time within the "
        "warranty. Start a return from your account or ask us in chat. Refunds go back to the original "
        "payment method within 3 to 5 working days of the item reaching our warehouse.",
    },
    {
        "slug": "refund-timing",
        "title": "When will my refund arrive?",
        "policy_clause": "R2",
        "tags": ["refund", "timing", "bank"],
        "body": "We send a refund as soon as your return is checked, usually within 2 working days of it "
        "arriving. Banks then take 3 to 5 working days to show it. PayPal refunds usually appear within "
        "24 hours.",
    },
    {
        "slug": "delivery-options",
        "title": "Delivery options and costs",
        "policy_clause": "D1",
        "tags": ["delivery", "shipping", "next day", "click and collect"],
        "body": "Standard delivery takes 3 to 5 working days and is free on orders over £40 (otherwise £3.95). "
        "Next-day delivery costs £6.95 if you order before 8pm on a weekday. Click and collect from any "
        "Northwind store is free and usually ready the next day.",
    },
    {
        "slug": "delivery-times",
        "title": "How long delivery takes",
        "policy_clause": "D2",
        "tags": ["delivery", "how long", "eta"],
        "body": "Most orders leave our warehouse within one working day. Standard parcels arrive 3 to 5 working "
        "days after dispatch, next-day parcels the next working day. Large items such as speakers may "
        "take up to 7 working days and the courier will text you a time slot.",
    },
    {
        "slug": "payment-methods",
        "title": "Ways to pay",
        "policy_clause": "P1",
        "tags": ["payment", "card", "paypal", "klarna"],
        "body": "We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay and Klarna "
        "(pay in 3). We do not accept cheques or cash on delivery.",
    },
    {
        "slug": "cancel-an-order",
        "title": "Cancelling an order and fees",
        "policy_clause": "C1",
        "tags": ["cancel", "cancellation fee"],
        "body": "You can cancel free of charge until your order is dispatched. After dispatch you can refuse the "
        "delivery or return it within 30 days; there is no cancellation fee, but made-to-order items "
        "carry a £10 restocking charge.",
    },
    {
        "slug": "invoices",
        "title": "Invoices and VAT receipts",
        "policy_clause": "B1",
        "tags": ["invoice", "vat", "receipt"],
        "body": "A VAT invoice is emailed when your order is dispatched. You can download any invoice from "
        "Orders in your account, or ask us to resend it. Business customers can ask for invoices "
        "addressed to their company.",
    },
    {
        "slug": "create-account",
        "title": "Creating an account",
        "policy_clause": "A1",
        "tags": ["account", "register", "sign up"],
        "body": "Choose Sign up at the top of any page and enter your email and a password of at least 10 "
        "characters. We send a link to confirm your email; it is valid for 24 hours.",
    },
    {
        "slug": "reset-password",
        "title": "Resetting your password",
        "policy_clause": "A2",
        "tags": ["password", "login", "locked out"],
        "body": "Choose Forgot password on the sign-in page and we'll email a reset link valid for one hour. "
        "After five wrong attempts the account is locked for 15 minutes for your security.",
    },
    {
        "slug": "newsletter",
        "title": "Newsletter and marketing emails",
        "policy_clause": "M1",
        "tags": ["newsletter", "unsubscribe", "emails"],
        "body": "You can subscribe or unsubscribe in Account > Preferences, or with the link at the bottom of "
        "any newsletter. Changes take effect within 48 hours.",
    },
    {
        "slug": "warranty-and-faults",
        "title": "Faulty items and warranty",
        "policy_clause": "W1",
        "tags": ["faulty", "broken", "warranty", "defect"],
        "body": "Electronics carry a 2-year warranty. If something is faulty we repair, replace or refund it. "
        "Tell us what happened and, if you can, send a photo; we'll arrange a free collection.",
    },
    {
        "slug": "price-match",
        "title": "Price match promise",
        "policy_clause": "PM1",
        "tags": ["price match", "cheaper"],
        "body": "If you find the same item cheaper at a UK retailer within 7 days of buying it, we refund the "
        "difference. Marketplace sellers and clearance prices are excluded.",
    },
    {
        "slug": "appointments",
        "title": "In-store appointments",
        "policy_clause": "AP1",
        "tags": ["appointment", "booking", "demo"],
        "body": "Book a free 30-minute product demo or set-up session in Manchester or Bristol. You can "
        "reschedule or cancel up to 2 hours before the start.",
    },
    {
        "slug": "business-accounts",
        "title": "Business and bulk orders",
        "policy_clause": "S1",
        "tags": ["business", "bulk", "wholesale", "quote"],
        "body": "Businesses ordering 20 or more units get tiered pricing, 30-day invoice terms and a named "
        "account manager. Ask for a quote in chat and our sales team will be in touch.",
    },
    {
        "slug": "change-address",
        "title": "Changing your delivery address",
        "policy_clause": "D3",
        "tags": ["address", "delivery address", "shipping address"],
        "body": "You can change the delivery address until the order is dispatched. For your security we verify "
        "your identity before changing any contact details.",
    },
]
