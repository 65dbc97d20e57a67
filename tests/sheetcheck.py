"""Read an export back as JSON for the tests.

  sheetcheck.py csv FILE    rows parsed by Python's csv module (RFC 4180)
  sheetcheck.py xlsx FILE   the first sheet through python3-openpyxl: title,
                            frozen panes, header, and each cell's value,
                            type and number format in the first rows
"""
import csv
import json
import sys


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {"rows": list(csv.reader(f))}


def read_xlsx(path):
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 200)):
        rows.append([{"value": None if c.value is None else str(c.value),
                      "type": type(c.value).__name__,
                      "format": c.number_format} for c in row])
    return {"title": sheet.title, "freeze": sheet.freeze_panes,
            "rows": rows, "bold_header": bool(sheet.cell(1, 1).font.b)}


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    print(json.dumps(read_csv(path) if kind == "csv" else read_xlsx(path)))
