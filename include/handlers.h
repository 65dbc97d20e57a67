/* Every HTTP handler, listed in the route table of server/http/routes.c. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <stdint.h>

#include "http.h"
#include "secret.h"

/* h_system.c */
enum ld_err h_healthz(struct request *req);
enum ld_err h_ping(struct request *req);
enum ld_err h_openapi(struct request *req);
enum ld_err h_workdays(struct request *req);
enum ld_err h_workdays_post(struct request *req);

/* h_auth.c */
enum ld_err h_signin(struct request *req);
enum ld_err h_signout(struct request *req);
enum ld_err h_me(struct request *req);
enum ld_err h_session_end(struct request *req);
enum ld_err h_tokens(struct request *req);
enum ld_err h_token_create(struct request *req);
enum ld_err h_token_revoke(struct request *req);

/* h_cases.c */
enum ld_err h_complaint_add(struct request *req);
enum ld_err h_complaint_get(struct request *req);
enum ld_err h_resident_put(struct request *req);
enum ld_err h_case_register(struct request *req);
enum ld_err h_case_list(struct request *req);
enum ld_err h_case_get(struct request *req);
enum ld_err h_case_audit(struct request *req);
enum ld_err h_correspondence_add(struct request *req);
enum ld_err h_determination_add(struct request *req);
enum ld_err h_case_stage(struct request *req);
enum ld_err h_case_close(struct request *req);
enum ld_err h_task_list(struct request *req);
enum ld_err h_task_get(struct request *req);
enum ld_err h_task_action(struct request *req);
enum ld_err h_task_update(struct request *req);
enum ld_err h_task_remind(struct request *req);

/* h_admin.c */
enum ld_err h_areas(struct request *req);
enum ld_err h_area_add(struct request *req);
enum ld_err h_area_update(struct request *req);
enum ld_err h_users(struct request *req);
enum ld_err h_user_add(struct request *req);
enum ld_err h_user_update(struct request *req);
enum ld_err h_ombudsmen(struct request *req);
enum ld_err h_validator_titles(struct request *req);
enum ld_err h_positions(struct request *req);
enum ld_err h_position_set(struct request *req);
enum ld_err h_recipients(struct request *req);
enum ld_err h_recipient_add(struct request *req);
enum ld_err h_recipient_delete(struct request *req);
enum ld_err h_outbox(struct request *req);
enum ld_err h_holidays_import(struct request *req);

/* h_files.c */
extern const struct upload_ops file_upload_ops;
enum ld_err h_file_upload(struct request *req);
enum ld_err h_file_download(struct request *req);
enum ld_err h_file_remove(struct request *req);
enum ld_err h_bundle(struct request *req);

/* h_feeds.c */
enum ld_err h_feeds(struct request *req);
enum ld_err h_feed_create(struct request *req);
enum ld_err h_feed_revoke(struct request *req);
/* The revoke command ({id} of the path), for the API and the page. */
enum ld_err feeds_revoke(struct request *req, int64_t *id);
enum ld_err h_feed(struct request *req);
enum ld_err h_outbox_retry(struct request *req);

/* static.c */
bool static_path(const char *path);
enum ld_err h_static(struct request *req);

/* h_admin.c, for the admin page's form too */
/* The shortest password, in characters. */
#define PASSWORD_MIN_CHARS 12
struct user_in;
/*
 * A user's fields decoded from an API body (adding: name and email
 * required): the one set of rules for the API and the form.  *password is
 * the new password (checked for length) or NULL.
 */
enum ld_err admin_user_in(struct request *req, json_t *body, bool adding,
			  struct user_in *in, const char **password);
/* The password's Argon2id hash into in (slow: on the hash pool). */
enum ld_err admin_user_hash(struct request *req, const char *password,
			    struct user_in *in);
/* A service area's fields from an API body (adding: the name required). */
struct area_in;
enum ld_err admin_area_in(struct request *req, json_t *body, bool adding,
			  struct area_in *in);
/* A position's holder from an API body: 0 to leave it vacant. */
enum ld_err admin_position_in(struct request *req, json_t *body,
			      int64_t *user_id);
/* Who is told of what, from an API body; the events and kinds it takes. */
struct recipient_in;
extern const char *const admin_recipient_events[];
extern const char *const admin_recipient_kinds[];
enum ld_err admin_recipient_in(struct request *req, json_t *body,
			       struct recipient_in *in);

/* h_auth.c, for the sign-in page too */
/*
 * May this email sign in from this address now?  LD_ERATELIMIT with a
 * Retry-After header and the wait in the message when it must wait.  A
 * quick indexed read: called before a sign-in takes a place on the pool.
 */
enum ld_err auth_signin_allowed(struct request *req, const char *email);
enum ld_err auth_signin(struct request *req, const char *email,
			const char *password, char token[SECRET_TOKEN_LEN],
			char csrf[SECRET_TOKEN_LEN], int64_t *user_id);
const char *auth_session_cookie(struct request *req, const char *token,
				long max_age);
/* A new API token's name and expiry, as the API's body gives them. */
struct token_in {
	const char *name; /* the request's */
	int64_t expires;
};
/* The API's decoder of that body (name, and expires_at or
 * expires_in_days), for the API and the account page's form alike. */
enum ld_err auth_token_in(struct request *req, json_t *body, void *out);
/*
 * A new API token of the signed-in user: *out is the token as the API
 * answers it, with the secret itself, shown this once (json_decref it).
 */
enum ld_err auth_token_make(struct request *req, const struct token_in *in,
			    json_t **out);

/* h_oidc.c: single sign-on (OpenID Connect) */
enum ld_err h_oidc_signin_page(struct request *req);
enum ld_err h_oidc_start(struct request *req);
enum ld_err h_oidc_callback(struct request *req);
enum ld_err h_oidc_signout(struct request *req);
/*
 * Add the sign-in page's single sign-on button ("sso", when configured) and
 * whether passwords are for administrators only to a page context.
 */
void oidc_page_ctx(struct request *req, json_t *ctx);

/* h_cases.c, for the pages' forms too */
struct correspondence_in;
struct determination_in;
enum ld_err cases_correspond(struct request *req, int64_t id,
			     struct correspondence_in *in, char **json,
			     struct why *why);
enum ld_err cases_determine(struct request *req, int64_t id,
			    struct determination_in *in, char **json,
			    struct why *why);
/*
 * A request body decoded into a command, refused as the API refuses it
 * (request_fail names the field); the forms build the same body.  What
 * *in points to lives as long as body.
 */
enum ld_err cases_stage_in(struct request *req, json_t *body, int *stage,
			   int *version);
struct task_update_in;
enum ld_err cases_task_update_in(struct request *req, json_t *body,
				 struct task_update_in *in);
struct complaint_in;
enum ld_err cases_complaint_in(struct request *req, json_t *body,
			       struct complaint_in *in);
/* The resident's details: the body of PUT .../resident. */
enum ld_err cases_resident_in(struct request *req, json_t *body,
			      struct complaint_in *in);
/* The complaint's stage dates: the body of PATCH .../stages. */
struct stage_dates_in;
enum ld_err code_stages_in(struct request *req, json_t *body,
			   struct stage_dates_in *in);
struct case_in;
enum ld_err cases_case_in(struct request *req, json_t *body,
			  struct case_in *in);
enum ld_err cases_correspondence_in(struct request *req, json_t *body,
				    struct correspondence_in *in);
enum ld_err cases_determination_in(struct request *req, json_t *body,
				   struct determination_in *in);
enum ld_err cases_close_in(struct request *req, json_t *body,
			   const char **outcome, int32_t *closed_on,
			   int *version);
struct task_action_in;
enum ld_err cases_task_action_in(struct request *req, json_t *body,
				 struct task_action_in *in);

/* h_files.c */
enum ld_err file_upload_complete(struct request *req, char **json,
				 struct why *why);

/* h_pages.c: the pages that show things */
enum ld_err h_page_root(struct request *req);
enum ld_err h_page_home(struct request *req);
enum ld_err h_page_home_list(struct request *req);
enum ld_err h_page_home_areas(struct request *req);
enum ld_err h_page_leadership(struct request *req);
enum ld_err h_page_my_tasks(struct request *req);
enum ld_err h_page_validation(struct request *req);
enum ld_err h_page_task(struct request *req);
enum ld_err h_page_task_act(struct request *req);
enum ld_err h_page_cases(struct request *req);
enum ld_err h_page_case(struct request *req);
/* The task page again after a failed action, showing why. */
enum ld_err page_task(struct request *req, int64_t id, json_t *form,
		      const struct why *why, enum ld_err failed);
/* The same showing every refusal of a task form (form_decode()'s). */
struct refusals;
enum ld_err page_task_refused(struct request *req, int64_t id, json_t *form,
			      const struct refusals *refused,
			      enum ld_err failed);
/* The case page; after a refused form, why (field and sentence) shown. */
enum ld_err page_case(struct request *req, int64_t id, const struct why *why,
		      enum ld_err failed);

/* h_*_page.c: the pages' forms, each beside its API twin */
/* The service areas and the people to assign as choices, area and who
 * chosen. */
void page_area_choices(struct request *req, json_t *ctx, const char *areas_key,
		       const char *people_key, int64_t area, int64_t who);
enum ld_err h_page_signin_post(struct request *req);
enum ld_err h_page_case_new(struct request *req);
enum ld_err h_page_case_new_post(struct request *req);
enum ld_err h_page_record(struct request *req);
enum ld_err h_page_record_post(struct request *req);
enum ld_err h_page_case_stage(struct request *req);
enum ld_err h_page_task_change(struct request *req);
enum ld_err h_page_task_cancel(struct request *req);
enum ld_err h_page_file_remove(struct request *req);
enum ld_err h_page_complaint(struct request *req);
enum ld_err h_page_complaint_post(struct request *req);
enum ld_err h_page_task_remind(struct request *req);
/* The success banner a page shows for ?done= (view_done's sentence). */
void page_done_flash(struct request *req, json_t *ctx);
/* The This week page's lines of the Monday digest, by service area. */
void page_this_week_digest(struct request *req, json_t *ctx);
enum ld_err h_page_determination(struct request *req);
enum ld_err h_page_determination_post(struct request *req);
enum ld_err h_page_case_close(struct request *req);
enum ld_err h_page_calendar(struct request *req);
enum ld_err h_page_calendar_post(struct request *req);
enum ld_err h_page_calendar_revoke(struct request *req);
enum ld_err h_page_admin(struct request *req);
enum ld_err h_page_admin_user(struct request *req);
enum ld_err h_page_admin_holidays(struct request *req);
enum ld_err h_page_admin_user_new(struct request *req);
enum ld_err h_page_admin_user_edit(struct request *req);
enum ld_err h_page_admin_user_post(struct request *req);
enum ld_err h_page_admin_user_active(struct request *req);
enum ld_err h_page_admin_area(struct request *req);
enum ld_err h_page_admin_area_add(struct request *req);
enum ld_err h_page_admin_area_post(struct request *req);
enum ld_err h_page_admin_position(struct request *req);
enum ld_err h_page_admin_recipient_add(struct request *req);
enum ld_err h_page_admin_recipient_remove(struct request *req);
enum ld_err h_page_admin_mail_retry(struct request *req);
enum ld_err h_page_account(struct request *req);
enum ld_err h_page_account_token(struct request *req);
enum ld_err h_page_account_token_revoke(struct request *req);
enum ld_err h_page_account_session_end(struct request *req);
/*
 * h_admin_page.c, for the account page too: page_ctx() with the success
 * banner that ?done=KEY names in flashes (KEY, sentence, ..., NULL).
 */
json_t *page_ctx_done(struct request *req, const char *title,
		      const char *current, const char *const *flashes);
/* Role names (a JSON array) as core's words: "Link officer, Validator". */
const char *page_roles_text(struct request *req, json_t *roles);
enum ld_err h_page_upload(struct request *req);
/*
 * A page's upload refused before or while its body was read (the
 * router's upload_refused): the form it came from again with the reason
 * beside its file field, at the refusal's status; err itself when there is
 * no such form to show.
 */
enum ld_err page_upload_refused(struct request *req, enum ld_err err);
/* The same for the Inbox page's message upload. */
enum ld_err inbox_upload_refused(struct request *req, enum ld_err err);
/* The brand page's logo likewise (h_brand_page.c). */
enum ld_err brand_logo_refused(struct request *req, enum ld_err err);

/* h_reports.c */
struct period;
int64_t reports_area(struct request *req);
/*
 * The Ombudsman a reader chose (?ombudsman=, a code such as HOS: capitals
 * and digits, up to 16), NULL for every Ombudsman: one rule for the API,
 * the exports and the pages' links.
 */
const char *reports_ombudsman(struct request *req);
enum ld_err reports_period(struct request *req, struct period *p);
enum ld_err kpi_cases_json(struct request *req, json_t **out, struct period *p);
enum ld_err h_kpis(struct request *req);
enum ld_err h_kpi_cases(struct request *req);
enum ld_err h_export(struct request *req);
enum ld_err h_export_kpi(struct request *req);

/* h_code.c */
/* Add the complaint's stage timeliness to its JSON. */
void code_timeliness(struct request *req, json_t *complaint);
enum ld_err h_complaint_stages(struct request *req);
enum ld_err h_complaint_codes(struct request *req);
enum ld_err h_sa_list(struct request *req);
enum ld_err h_sa_create(struct request *req);
enum ld_err h_sa_get(struct request *req);
enum ld_err h_sa_answer(struct request *req);
enum ld_err h_sa_approve(struct request *req);
enum ld_err h_sa_publish(struct request *req);
enum ld_err h_sa_export(struct request *req);
enum ld_err h_page_sa_list(struct request *req);
enum ld_err h_page_sa_create(struct request *req);
enum ld_err h_page_sa(struct request *req);
enum ld_err h_page_provision(struct request *req);
enum ld_err h_page_provision_post(struct request *req);
enum ld_err h_page_sa_approve(struct request *req);
enum ld_err h_page_sa_publish(struct request *req);

/* h_leadership.c */
enum ld_err h_page_kpi_cases(struct request *req);
enum ld_err h_page_annual(struct request *req);

/* h_forecast.c: forecasts of late answers and sanction risk */
enum ld_err h_page_this_week(struct request *req);
/* Every likely-late task and every sanction flag of home, 50 a page. */
enum ld_err h_page_likely_late(struct request *req);
enum ld_err h_page_sanction_risk(struct request *req);
enum ld_err h_forecasts(struct request *req);
enum ld_err h_sanction_risks(struct request *req);
enum ld_err h_forecast_backtest(struct request *req);
/* Into name (FORECAST_MODEL_NAME_LEN bytes): the forecast model home's
 * parts would come from now (forecast_store_model_name). */
enum ld_err forecast_page_model(struct request *req, char *name);
/* Add the likely-late list and the sanction flags to the home page; the
 * first failure (what did not fail is added still). */
enum ld_err forecast_page_home(struct request *req, json_t *ctx);
/* Give each open task of a list its "forecast". */
void forecast_page_tasks(struct request *req, json_t *tasks);
/* Add a case's sanction flags to its page. */
void forecast_page_case(struct request *req, json_t *ctx, int64_t case_id);
/* Add the expected late answers of from..to to leadership's page. */
void forecast_page_leadership(struct request *req, json_t *ctx, int32_t from,
			      int32_t to);

/* h_inbox.c: the Ombudsman inbox */
enum ld_err h_inbox_list(struct request *req);
enum ld_err h_inbox_get(struct request *req);
enum ld_err h_inbox_accept(struct request *req);
enum ld_err h_inbox_dismiss(struct request *req);
enum ld_err h_page_inbox(struct request *req);
enum ld_err h_page_inbox_message(struct request *req);
enum ld_err h_page_inbox_accept(struct request *req);
enum ld_err h_page_inbox_dismiss(struct request *req);
enum ld_err h_page_inbox_upload(struct request *req);
enum ld_err h_inbox_attachment(struct request *req);
extern const struct upload_ops inbox_upload_ops;
/* Evidence emailed to the Ombudsman through the outbox. */
enum ld_err h_evidence_email(struct request *req);
enum ld_err h_page_evidence_email(struct request *req);
/* The task page's email button or portal checklist. */
void evidence_page_task(struct request *req, json_t *ctx);
/* The home page's count of waiting messages and the oldest's age; a
 * failure fails the page rather than say nothing waits. */
enum ld_err inbox_page_home(struct request *req, json_t *ctx);

/* h_brand_page.c: the organisation's brand */
enum ld_err h_page_brand(struct request *req);
enum ld_err h_page_brand_post(struct request *req);
enum ld_err h_page_brand_logo(struct request *req);
enum ld_err h_page_brand_logo_remove(struct request *req);
enum ld_err h_brand_style(struct request *req);
enum ld_err h_brand_logo(struct request *req);
extern const struct upload_ops brand_logo_ops;

#endif
