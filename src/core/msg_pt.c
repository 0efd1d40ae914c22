/*
 * msg_pt.c - the pages in Brazilian Portuguese: "você", "link",
 * "aplicativo", "entrar". The OpenTHC apps label their button "Open Chat"
 * in English, so the texts name it that way, in quotes. See msg.h.
 */
#include "msg.h"

const char *const msg_pt[MSG_COUNT] = {
	[MSG_CODE] = "Código:",
	[MSG_REFERENCE] = "Referência:",

	[MSG_400_TITLE] = "Este link do chat não é válido",
	[MSG_400_TEXT] = "O link que você abriu está corrompido. Volte ao seu aplicativo OpenTHC e use "
	    "“Open Chat” novamente.",
	[MSG_401_TITLE] = "Este link do chat expirou ou já foi usado",
	[MSG_401_TEXT] = "Os links do chat funcionam uma única vez e só por alguns minutos. Volte ao seu "
	    "aplicativo OpenTHC e use “Open Chat” novamente.",
	[MSG_403_TITLE] = "O chat não está disponível para esta conta",
	[MSG_403_TEXT] = "Não conseguimos entrar automaticamente na sua conta do chat. Entre em contato "
	    "com o suporte da OpenTHC e informe o código abaixo.",
	[MSG_404_TITLE] = "Página não encontrada",
	[MSG_404_TEXT] = "Não há nada aqui.",
	[MSG_405_TITLE] = "Método não permitido",
	[MSG_405_TEXT] = "Este endereço não aceita esse tipo de requisição.",
	[MSG_408_TITLE] = "A requisição demorou demais",
	[MSG_408_TEXT] = "Seu navegador demorou demais para enviar a requisição. Volte ao seu app da "
	    "OpenTHC e use “Open Chat” de novo.",
	[MSG_409_TITLE] = "Esta conta de chat pertence a outra pessoa",
	[MSG_409_TEXT] = "Já existe uma conta de chat com o seu e-mail vinculada a outro contato da "
	    "OpenTHC. Fale com o suporte da OpenTHC e informe o código abaixo.",
	[MSG_413_TITLE] = "Requisição grande demais",
	[MSG_413_TEXT] = "A requisição era grande demais.",
	[MSG_429_TITLE] = "Tentativas demais",
	[MSG_429_TEXT] = "Houve tentativas de login demais a partir da sua rede. Aguarde um minuto e tente "
	    "novamente.",
	[MSG_500_TITLE] = "Algo deu errado",
	[MSG_500_TEXT] = "Não foi possível entrar no chat. Tente novamente; se continuar falhando, entre "
	    "em contato com o suporte da OpenTHC e informe o código abaixo.",
	[MSG_502_TITLE] = "O chat não está disponível agora",
	[MSG_502_TEXT] = "O chat não está respondendo no momento. Tente novamente em alguns minutos.",
	[MSG_503_TITLE] = "O login no chat não está disponível agora",
	[MSG_503_TEXT] = "O login no chat está temporariamente indisponível. Tente novamente em alguns "
	    "minutos.",
	[MSG_504_TITLE] = "O chat não está disponível agora",
	[MSG_504_TEXT] = "O chat demorou demais para responder. Tente novamente em alguns minutos.",

	[MSG_NO_TOKEN_TITLE] = "Abra o chat pelo seu aplicativo OpenTHC",
	[MSG_NO_TOKEN_TEXT] = "Para entrar no chat da OpenTHC, abra qualquer aplicativo OpenTHC (POS, Lab, "
	    "Directory ou sua conta no OpenTHC SSO) e escolha “Open Chat”. O link gerado faz o seu login "
	    "aqui automaticamente.",

	[MSG_WELCOME_TITLE] = "Chat da OpenTHC",
	[MSG_WELCOME_HEADING] = "Converse com a comunidade OpenTHC",
	[MSG_WELCOME_TEXT] = "O chat faz parte da sua conta OpenTHC. Não existe uma senha separada: entre "
	    "com a OpenTHC e você vai direto para as suas equipes.",
	[MSG_WELCOME_BUTTON] = "Abrir o chat",
	[MSG_WELCOME_HINT] = "Já está usando um aplicativo OpenTHC? Use o link “Open Chat” dele: ele faz o "
	    "seu login direto.",

	[MSG_SWAP_TITLE] = "Você já está conectado ao chat",
	[MSG_SWAP_TEXT] = "Você está conectado ao chat como {1}. Continuar como {2}?",
	[MSG_SWAP_CONTINUE] = "Continuar como {1}",
	[MSG_SWAP_STAY] = "Ficar como {1}",
};
