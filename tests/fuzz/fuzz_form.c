/* Query strings and form bodies: never a crash, strings always UTF-8. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *form;
	if (form_parse((const char *)data, size, &form) == LD_OK) {
		/* Whatever it holds can be written out as JSON again. */
		char *text = json_dumps(form, 0);
		if (!text)
			abort();
		free(text);
		json_decref(form);
	}
	return 0;
}
