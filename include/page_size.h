/*
 * page_size.h: how long a page of any list is and how far it may be
 * asked to go: the numbers alone, for every layer (the store writes the
 * usual size into its statements; paging.h checks what a reader asks).
 */
#ifndef LINKDESK_PAGE_SIZE_H
#define LINKDESK_PAGE_SIZE_H

/* A page holds this many rows unless the reader asks for another size. */
#define PAGE_ROWS 50
/* The most rows a page may be asked to hold. */
#define PAGE_ROWS_MAX 200
/* A page number past this is no page of a list anyone reads. */
#define PAGE_NUMBER_MAX 1000000

#endif
