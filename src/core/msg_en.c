/*
 * msg_en.c - the pages in English (see msg.h). English is the default
 * and the reference the other tables are checked against.
 */
#include "msg.h"

const char *const msg_en[MSG_COUNT] = {
	[MSG_CODE] = "Code:",
	[MSG_REFERENCE] = "Reference:",

	[MSG_400_TITLE] = "This chat link is not valid",
	[MSG_400_TEXT] = "The link you followed is damaged. Go back to your OpenTHC app and use Open Chat "
	    "again.",
	[MSG_401_TITLE] = "This chat link has expired or was already used",
	[MSG_401_TEXT] = "Chat links work once and only for a few minutes. Go back to your OpenTHC app and "
	    "use Open Chat again.",
	[MSG_403_TITLE] = "Chat is not available for this account",
	[MSG_403_TEXT] = "Your chat account cannot be signed in automatically. Please contact OpenTHC "
	    "support and quote the code below.",
	[MSG_404_TITLE] = "Not found",
	[MSG_404_TEXT] = "There is nothing here.",
	[MSG_405_TITLE] = "Method not allowed",
	[MSG_405_TEXT] = "This address does not accept that kind of request.",
	[MSG_408_TITLE] = "The request took too long",
	[MSG_408_TEXT] = "Your browser took too long to send the request. Please go back to your "
	    "OpenTHC app and use Open Chat again.",
	[MSG_409_TITLE] = "This chat account belongs to someone else",
	[MSG_409_TEXT] = "A chat account with your email address is already linked to another "
	    "OpenTHC contact. Please contact OpenTHC support and quote the code below.",
	[MSG_413_TITLE] = "Request too large",
	[MSG_413_TEXT] = "The request was too large.",
	[MSG_429_TITLE] = "Too many attempts",
	[MSG_429_TEXT] = "There were too many sign-in attempts from your network. Please wait a minute and "
	    "try again.",
	[MSG_500_TITLE] = "Something went wrong",
	[MSG_500_TEXT] = "Chat sign-in failed. Please try again; if it keeps failing, contact OpenTHC "
	    "support and quote the code below.",
	[MSG_502_TITLE] = "Chat is not available right now",
	[MSG_502_TEXT] = "Chat is not answering at the moment. Please try again in a few minutes.",
	[MSG_503_TITLE] = "Chat sign-in is not available right now",
	[MSG_503_TEXT] = "Chat sign-in is temporarily unavailable. Please try again in a few minutes.",
	[MSG_504_TITLE] = "Chat is not available right now",
	[MSG_504_TEXT] = "Chat took too long to answer. Please try again in a few minutes.",

	[MSG_NO_TOKEN_TITLE] = "Open Chat from your OpenTHC app",
	[MSG_NO_TOKEN_TEXT] = "To sign in to OpenTHC Chat, open any OpenTHC application (POS, Lab, "
	    "Directory or your account at OpenTHC SSO) and choose Open Chat. The link it gives you signs "
	    "you in here automatically.",

	[MSG_WELCOME_TITLE] = "OpenTHC Chat",
	[MSG_WELCOME_HEADING] = "Chat with the OpenTHC community",
	[MSG_WELCOME_TEXT] = "Chat is part of your OpenTHC account. There is no separate password: sign in "
	    "with OpenTHC and you land in your teams.",
	[MSG_WELCOME_BUTTON] = "Open Chat",
	[MSG_WELCOME_HINT] = "Already working in an OpenTHC app? Use its Open Chat link: it signs you in "
	    "directly.",

	[MSG_SWAP_TITLE] = "You are already signed in to chat",
	[MSG_SWAP_TEXT] = "You are signed in to chat as {1}. Continue as {2}?",
	[MSG_SWAP_CONTINUE] = "Continue as {1}",
	[MSG_SWAP_STAY] = "Stay as {1}",
};
