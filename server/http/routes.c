/*
 * The one route table: every address the server answers, and who may use
 * it.  Leadership reads everything and changes nothing, so no route that
 * changes data lists it.  Finer rules (a service officer's own area, a
 * validator's title) are checked in the store.
 */
#include "handlers.h"
#include "workflow.h"

#define PUBLIC 0
#define ANYONE ROLE_ANY
#define LINK   ROLE_LINK_OFFICER
#define ADMIN  ROLE_ADMINISTRATOR
#define READERS                                                                \
	(ROLE_LINK_OFFICER | ROLE_SERVICE_OFFICER | ROLE_VALIDATOR |           \
	 ROLE_LEADERSHIP)
#define CODE_READERS (ROLE_LINK_OFFICER | ROLE_LEADERSHIP | ROLE_ADMINISTRATOR)
#define CODE_WRITERS (ROLE_LINK_OFFICER | ROLE_ADMINISTRATOR)
#define WORKERS	     (ROLE_LINK_OFFICER | ROLE_SERVICE_OFFICER | ROLE_VALIDATOR)

const struct route http_routes[] = {
	/* The dashboard's pages */
	{"GET", "/", h_page_root, ANYONE, NULL},
	{"GET", "/sign-in", h_oidc_signin_page, PUBLIC, NULL},
	{"POST", "/sign-in", h_page_signin_post, PUBLIC, NULL},
	{"GET", "/sign-in/oidc", h_oidc_start, PUBLIC, NULL},
	{"GET", "/sign-in/oidc/callback", h_oidc_callback, PUBLIC, NULL},
	{"POST", "/sign-out", h_oidc_signout, ANYONE, NULL},
	{"GET", "/home", h_page_home, LINK, NULL},
	{"GET", "/leadership", h_page_leadership, ROLE_LEADERSHIP | LINK, NULL},
	{"GET", "/leadership/cases", h_page_kpi_cases, ROLE_LEADERSHIP | LINK,
	 NULL},
	{"GET", "/reports/annual", h_page_annual, ROLE_LEADERSHIP | LINK, NULL},
	{"GET", "/self-assessments", h_page_sa_list, CODE_READERS, NULL},
	{"POST", "/self-assessments", h_page_sa_create, CODE_WRITERS, NULL},
	{"GET", "/self-assessments/{id}", h_page_sa, CODE_READERS, NULL},
	{"GET", "/self-assessments/{id}/provisions/{number}", h_page_provision,
	 CODE_WRITERS, NULL},
	{"POST", "/self-assessments/{id}/provisions/{number}",
	 h_page_provision_post, CODE_WRITERS, NULL},
	{"POST", "/self-assessments/{id}/approve", h_page_sa_approve,
	 CODE_WRITERS, NULL},
	{"POST", "/self-assessments/{id}/publish", h_page_sa_publish,
	 CODE_WRITERS, NULL},
	{"GET", "/my-tasks", h_page_my_tasks, ROLE_SERVICE_OFFICER, NULL},
	{"GET", "/validation", h_page_validation, ROLE_VALIDATOR, NULL},
	{"GET", "/tasks/{id}", h_page_task, READERS, NULL},
	{"POST", "/tasks/{id}/act", h_page_task_act, WORKERS, NULL},
	{"POST", "/tasks/{id}/email", h_page_evidence_email, LINK, NULL},
	{"POST", "/tasks/{id}/upload", h_page_upload, WORKERS,
	 &file_upload_ops},
	{"GET", "/cases", h_page_cases, READERS, NULL},
	{"GET", "/cases/new", h_page_case_new, LINK, NULL},
	{"POST", "/cases/new", h_page_case_new_post, LINK, NULL},
	{"GET", "/cases/{id}", h_page_case, READERS, NULL},
	{"GET", "/cases/{id}/record", h_page_record, LINK, NULL},
	{"POST", "/cases/{id}/record", h_page_record_post, LINK, NULL},
	{"GET", "/cases/{id}/determination", h_page_determination, LINK, NULL},
	{"POST", "/cases/{id}/determination", h_page_determination_post, LINK,
	 NULL},
	{"POST", "/cases/{id}/close", h_page_case_close, LINK, NULL},
	{"GET", "/this-week", h_page_this_week, READERS, NULL},
	{"GET", "/inbox", h_page_inbox, LINK, NULL},
	{"GET", "/inbox/{id}", h_page_inbox_message, LINK, NULL},
	{"POST", "/inbox/{id}/accept", h_page_inbox_accept, LINK, NULL},
	{"POST", "/inbox/{id}/dismiss", h_page_inbox_dismiss, LINK, NULL},
	{"POST", "/inbox/upload", h_page_inbox_upload, LINK, &inbox_upload_ops},
	{"GET", "/inbox/attachments/{id}", h_inbox_attachment, LINK, NULL},
	{"GET", "/calendar", h_page_calendar, ANYONE, NULL},
	{"POST", "/calendar", h_page_calendar_post, ANYONE, NULL},
	{"POST", "/calendar/{id}/revoke", h_page_calendar_revoke, ANYONE, NULL},
	{"GET", "/admin", h_page_admin, ADMIN, NULL},
	{"POST", "/admin/users", h_page_admin_user, ADMIN, NULL},
	{"POST", "/admin/holidays", h_page_admin_holidays, ADMIN, NULL},

	/* The JSON API */
	{"GET", "/healthz", h_healthz, PUBLIC, NULL},
	{"GET", "/api/v1/ping", h_ping, PUBLIC, NULL},
	{"GET", "/api/v1/openapi.json", h_openapi, PUBLIC, NULL},
	{"GET", "/api/v1/workdays", h_workdays, PUBLIC, NULL},
	{"POST", "/api/v1/workdays", h_workdays_post, PUBLIC, NULL},

	{"POST", "/api/v1/session", h_signin, PUBLIC, NULL},
	{"DELETE", "/api/v1/session", h_signout, ANYONE, NULL},
	{"GET", "/api/v1/me", h_me, ANYONE, NULL},
	{"DELETE", "/api/v1/sessions/{id}", h_session_end, ANYONE, NULL},
	{"GET", "/api/v1/tokens", h_tokens, ANYONE, NULL},
	{"POST", "/api/v1/tokens", h_token_create, ANYONE, NULL},
	{"DELETE", "/api/v1/tokens/{id}", h_token_revoke, ANYONE, NULL},

	{"POST", "/api/v1/complaints", h_complaint_add, LINK, NULL},
	{"GET", "/api/v1/complaints/{id}", h_complaint_get, READERS, NULL},
	{"PUT", "/api/v1/complaints/{id}/resident", h_resident_put, LINK, NULL},
	{"POST", "/api/v1/cases", h_case_register, LINK, NULL},
	{"GET", "/api/v1/cases", h_case_list, READERS, NULL},
	{"GET", "/api/v1/cases/{id}", h_case_get, READERS, NULL},
	{"POST", "/api/v1/cases/{id}/correspondence", h_correspondence_add,
	 LINK, NULL},
	{"POST", "/api/v1/cases/{id}/determination", h_determination_add, LINK,
	 NULL},
	{"POST", "/api/v1/cases/{id}/stage", h_case_stage, LINK, NULL},
	{"POST", "/api/v1/cases/{id}/close", h_case_close, LINK, NULL},
	{"GET", "/api/v1/tasks", h_task_list, READERS, NULL},
	{"GET", "/api/v1/tasks/{id}", h_task_get, READERS, NULL},
	{"PATCH", "/api/v1/tasks/{id}", h_task_update, LINK, NULL},
	{"POST", "/api/v1/tasks/{id}/actions", h_task_action, WORKERS, NULL},
	{"POST", "/api/v1/tasks/{id}/email", h_evidence_email, LINK, NULL},

	{"POST", "/api/v1/tasks/{id}/files", h_file_upload, WORKERS,
	 &file_upload_ops},
	{"GET", "/api/v1/files/{id}", h_file_download, READERS, NULL},
	{"DELETE", "/api/v1/files/{id}", h_file_remove, WORKERS, NULL},
	{"GET", "/api/v1/tasks/{id}/bundle", h_bundle, READERS, NULL},

	{"GET", "/api/v1/feeds", h_feeds, ANYONE, NULL},
	{"POST", "/api/v1/feeds", h_feed_create, ANYONE, NULL},
	{"DELETE", "/api/v1/feeds/{id}", h_feed_revoke, ANYONE, NULL},
	{"GET", "/feeds/{token}", h_feed, PUBLIC, NULL},

	{"PATCH", "/api/v1/complaints/{id}/stages", h_complaint_stages, LINK,
	 NULL},
	{"GET", "/api/v1/complaint-codes", h_complaint_codes, READERS, NULL},
	{"GET", "/api/v1/self-assessments", h_sa_list, CODE_READERS, NULL},
	{"POST", "/api/v1/self-assessments", h_sa_create, CODE_WRITERS, NULL},
	{"GET", "/api/v1/self-assessments/{id}", h_sa_get, CODE_READERS, NULL},
	{"PUT", "/api/v1/self-assessments/{id}/answers/{number}", h_sa_answer,
	 CODE_WRITERS, NULL},
	{"POST", "/api/v1/self-assessments/{id}/approve", h_sa_approve,
	 CODE_WRITERS, NULL},
	{"POST", "/api/v1/self-assessments/{id}/publish", h_sa_publish,
	 CODE_WRITERS, NULL},
	{"GET", "/api/v1/self-assessments/{id}/export.xlsx", h_sa_export,
	 CODE_READERS, NULL},
	{"GET", "/api/v1/forecasts", h_forecasts, READERS, NULL},
	{"GET", "/api/v1/forecasts/backtest", h_forecast_backtest,
	 ROLE_LEADERSHIP | LINK, NULL},
	{"GET", "/api/v1/sanction-risks", h_sanction_risks, READERS, NULL},
	{"GET", "/api/v1/kpis", h_kpis, READERS, NULL},
	{"GET", "/api/v1/kpis/cases", h_kpi_cases, READERS, NULL},
	{"GET", "/api/v1/exports/kpi/{name}", h_export_kpi, READERS, NULL},
	{"GET", "/api/v1/exports/{name}", h_export, READERS, NULL},

	{"GET", "/api/v1/service-areas", h_areas, ANYONE, NULL},
	{"POST", "/api/v1/service-areas", h_area_add, ADMIN, NULL},
	{"PATCH", "/api/v1/service-areas/{id}", h_area_update, ADMIN, NULL},
	{"GET", "/api/v1/users", h_users, ADMIN | LINK, NULL},
	{"POST", "/api/v1/users", h_user_add, ADMIN, NULL},
	{"PATCH", "/api/v1/users/{id}", h_user_update, ADMIN, NULL},
	{"GET", "/api/v1/ombudsmen", h_ombudsmen, ANYONE, NULL},
	{"GET", "/api/v1/validator-titles", h_validator_titles, ANYONE, NULL},
	{"GET", "/api/v1/positions", h_positions, ADMIN | LINK, NULL},
	{"PUT", "/api/v1/positions/{code}", h_position_set, ADMIN, NULL},
	{"GET", "/api/v1/notice-recipients", h_recipients, ADMIN | LINK, NULL},
	{"POST", "/api/v1/notice-recipients", h_recipient_add, ADMIN, NULL},
	{"DELETE", "/api/v1/notice-recipients/{id}", h_recipient_delete, ADMIN,
	 NULL},
	{"GET", "/api/v1/outbox", h_outbox, ADMIN, NULL},
	{"GET", "/api/v1/inbox", h_inbox_list, LINK, NULL},
	{"GET", "/api/v1/inbox/{id}", h_inbox_get, LINK, NULL},
	{"POST", "/api/v1/inbox/{id}/accept", h_inbox_accept, LINK, NULL},
	{"POST", "/api/v1/inbox/{id}/dismiss", h_inbox_dismiss, LINK, NULL},
	{"POST", "/api/v1/outbox/{id}/retry", h_outbox_retry, ADMIN, NULL},
	{"POST", "/api/v1/holidays/import", h_holidays_import, ADMIN, NULL},
};

const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);
