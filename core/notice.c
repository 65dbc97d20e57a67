#include "notice.h"

#include <stddef.h>

/*
 * The events' names; their words are web/templates/mail_notice*, rendered
 * when a notice is sent.
 */
const char *const notice_event_names[] = {"first_chaser",    "final_chaser",
					  "sanction_notice", "determination",
					  "task_assigned",   NULL};
