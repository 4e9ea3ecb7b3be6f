-- One label vocabulary across models and languages (tasks/entity_kinds.py): person,
-- organisation, place, other (names), and date, time, money, percent, quantity, number,
-- ordinal for the English model's numeric and temporal labels.
ALTER TABLE entities ADD COLUMN kind VARCHAR;
UPDATE entities SET kind = CASE
    WHEN label IN ('PERSON', 'PER', 'persName') THEN 'person'
    WHEN label IN ('ORG', 'orgName') THEN 'organisation'
    WHEN label IN ('GPE', 'LOC', 'FAC', 'placeName', 'geogName') THEN 'place'
    WHEN label = 'DATE' THEN 'date'
    WHEN label = 'TIME' THEN 'time'
    WHEN label = 'MONEY' THEN 'money'
    WHEN label = 'PERCENT' THEN 'percent'
    WHEN label = 'QUANTITY' THEN 'quantity'
    WHEN label = 'CARDINAL' THEN 'number'
    WHEN label = 'ORDINAL' THEN 'ordinal'
    ELSE 'other'
END;
