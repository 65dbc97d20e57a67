/* Files compiled into the binary by scripts/embed.sh. */
#ifndef EMBEDDED_H
#define EMBEDDED_H

/* sql/demo.sql: the demo organisation. */
extern const char demo_sql[];

/* docs/openapi.json: the API description served at /api/v1/openapi.json. */
extern const char openapi_json[];

/* The dashboard pages of web/templates, by file name without .html. */
struct tmpl_set;
extern const struct tmpl_set web_templates;

#endif
