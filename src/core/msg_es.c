/*
 * msg_es.c - the pages in Spanish, as written in Latin America (Ecuador,
 * Panama, Peru, Uruguay): informal "tú", "enlace", "iniciar sesión". The
 * OpenTHC apps label their button "Open Chat" in English, so the texts
 * name it that way, in quotes. See msg.h.
 */
#include "msg.h"

const char *const msg_es[MSG_COUNT] = {
	[MSG_CODE] = "Código:",
	[MSG_REFERENCE] = "Referencia:",

	[MSG_400_TITLE] = "Este enlace al chat no es válido",
	[MSG_400_TEXT] = "El enlace que seguiste está dañado. Vuelve a tu aplicación de OpenTHC y usa "
	    "“Open Chat” de nuevo.",
	[MSG_401_TITLE] = "Este enlace al chat expiró o ya fue usado",
	[MSG_401_TEXT] = "Los enlaces al chat funcionan una sola vez y solo por unos minutos. Vuelve a tu "
	    "aplicación de OpenTHC y usa “Open Chat” de nuevo.",
	[MSG_403_TITLE] = "El chat no está disponible para esta cuenta",
	[MSG_403_TEXT] = "No podemos iniciar sesión en tu cuenta de chat automáticamente. Comunícate con "
	    "el soporte de OpenTHC e indica el código que aparece abajo.",
	[MSG_404_TITLE] = "Página no encontrada",
	[MSG_404_TEXT] = "Aquí no hay nada.",
	[MSG_405_TITLE] = "Método no permitido",
	[MSG_405_TEXT] = "Esta dirección no acepta ese tipo de solicitud.",
	[MSG_408_TITLE] = "La solicitud tardó demasiado",
	[MSG_408_TEXT] = "Tu navegador tardó demasiado en enviar la solicitud. Vuelve a tu app de "
	    "OpenTHC y usa “Open Chat” de nuevo.",
	[MSG_409_TITLE] = "Esta cuenta de chat pertenece a otra persona",
	[MSG_409_TEXT] = "Ya hay una cuenta de chat con tu correo electrónico vinculada a otro contacto "
	    "de OpenTHC. Escribe al soporte de OpenTHC e indica el código de abajo.",
	[MSG_413_TITLE] = "Solicitud demasiado grande",
	[MSG_413_TEXT] = "La solicitud era demasiado grande.",
	[MSG_429_TITLE] = "Demasiados intentos",
	[MSG_429_TEXT] = "Hubo demasiados intentos de inicio de sesión desde tu red. Espera un minuto y "
	    "vuelve a intentarlo.",
	[MSG_500_TITLE] = "Algo salió mal",
	[MSG_500_TEXT] = "No se pudo iniciar sesión en el chat. Vuelve a intentarlo; si sigue fallando, "
	    "comunícate con el soporte de OpenTHC e indica el código que aparece abajo.",
	[MSG_502_TITLE] = "El chat no está disponible en este momento",
	[MSG_502_TEXT] = "El chat no responde en este momento. Vuelve a intentarlo en unos minutos.",
	[MSG_503_TITLE] = "El inicio de sesión en el chat no está disponible en este momento",
	[MSG_503_TEXT] = "El inicio de sesión en el chat no está disponible por ahora. Vuelve a intentarlo "
	    "en unos minutos.",
	[MSG_504_TITLE] = "El chat no está disponible en este momento",
	[MSG_504_TEXT] = "El chat tardó demasiado en responder. Vuelve a intentarlo en unos minutos.",

	[MSG_NO_TOKEN_TITLE] = "Abre el chat desde tu aplicación de OpenTHC",
	[MSG_NO_TOKEN_TEXT] = "Para entrar al chat de OpenTHC, abre cualquier aplicación de OpenTHC (POS, "
	    "Lab, Directory o tu cuenta en OpenTHC SSO) y elige “Open Chat”. El enlace que te da inicia tu "
	    "sesión aquí automáticamente.",

	[MSG_WELCOME_TITLE] = "Chat de OpenTHC",
	[MSG_WELCOME_HEADING] = "Conversa con la comunidad de OpenTHC",
	[MSG_WELCOME_TEXT] = "El chat es parte de tu cuenta de OpenTHC. No necesitas otra contraseña: "
	    "inicia sesión con OpenTHC y llegas directo a tus equipos.",
	[MSG_WELCOME_BUTTON] = "Abrir el chat",
	[MSG_WELCOME_HINT] = "¿Ya estás trabajando en una aplicación de OpenTHC? Usa su enlace “Open "
	    "Chat”: inicia tu sesión directamente.",

	[MSG_SWAP_TITLE] = "Ya iniciaste sesión en el chat",
	[MSG_SWAP_TEXT] = "Iniciaste sesión en el chat como {1}. ¿Quieres continuar como {2}?",
	[MSG_SWAP_CONTINUE] = "Continuar como {1}",
	[MSG_SWAP_STAY] = "Seguir como {1}",
};
