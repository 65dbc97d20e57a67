/* Files compiled into the binary by scripts/embed.sh. */
#ifndef EMBEDDED_H
#define EMBEDDED_H

/* sql/demo.sql: the demo organisation. */
extern const char demo_sql[];

/* docs/openapi.json: the API description served at /api/v1/openapi.json. */
extern const char openapi_json[];

#endif
